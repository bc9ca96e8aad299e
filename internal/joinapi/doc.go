// Package joinapi is the small wire contract between a joining agent and
// the server it joins (k3s calls its side the supervisor): the paths and
// the JSON a node sends and receives. The server package serves it, the
// agent package calls it; keeping the types here stops the two drifting.
package joinapi
