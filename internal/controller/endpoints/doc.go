// Package endpoints is the Endpoints controller: for every Service with
// a selector it keeps an Endpoints object of the same name listing the
// selected pods' addresses, Ready ones under addresses and the rest under
// notReadyAddresses (all under addresses with publishNotReadyAddresses),
// with each service port resolved against the pod (named target ports
// through the pod's container ports).
//
// In: Services and pods from the shared informers (a pod event wakes the
// services whose selector matches its old or new labels), Endpoints to
// compare against. Out: Endpoints created, updated when they differ,
// deleted with their Service. Services without a selector are left alone:
// their Endpoints belong to the user.
//
// The pod-side rules (which pods count, which IP, which port, which
// hostname) are exported here for the EndpointSlice controller too.
package endpoints
