// Package interpodaffinity is InterPodAffinity: the filter for required
// pod affinity and anti-affinity by topologyKey (the incoming pod's terms
// and the anti-affinity terms of pods already placed), and the score for
// preferred terms in both directions, normalised min..max to 0..100.
//
// PreFilter counts, per (topologyKey, value), the placed pods that match
// each kind of term, once per cycle; Filter then only looks up the
// node's own labels.
package interpodaffinity
