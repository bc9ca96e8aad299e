package webhook

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
)

// target is where a webhook is called: the URL to post to, and the name
// its certificate must carry (empty: the URL's host).
type target struct {
	url        *url.URL
	serverName string
}

// resolve turns a client config into a target. A URL is used as it is. A
// service reference is called at one of its ready endpoints, chosen at
// random to spread the load, and verified as <service>.<namespace>.svc.
func (d *Deps) resolve(cc *admissionregistrationv1.WebhookClientConfig) (target, error) {
	if cc.URL != nil {
		u, err := url.Parse(*cc.URL)
		if err != nil {
			return target{}, fmt.Errorf("invalid url %q: %w", *cc.URL, err)
		}
		return target{url: u}, nil
	}
	ref := cc.Service
	if ref == nil {
		return target{}, fmt.Errorf("neither url nor service is set")
	}
	port := int32(443)
	if ref.Port != nil {
		port = *ref.Port
	}
	path := ""
	if ref.Path != nil {
		path = *ref.Path
	}
	host, err := d.serviceAddress(ref.Namespace, ref.Name, port)
	if err != nil {
		return target{}, err
	}
	return target{
		url:        &url.URL{Scheme: "https", Host: host, Path: path},
		serverName: ref.Name + "." + ref.Namespace + ".svc",
	}, nil
}

// serviceAddress finds "ip:port" of a ready endpoint behind the service
// port, or the external name of an ExternalName Service.
func (d *Deps) serviceAddress(namespace, name string, port int32) (string, error) {
	if d.Services == nil || d.Endpoints == nil {
		return "", fmt.Errorf("service %s/%s: service references need the Services and Endpoints listers", namespace, name)
	}
	svc, err := d.Services.Services(namespace).Get(name)
	if err != nil {
		return "", fmt.Errorf("service %s/%s: %w", namespace, name, err)
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return net.JoinHostPort(svc.Spec.ExternalName, strconv.Itoa(int(port))), nil
	}
	var svcPort *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if svc.Spec.Ports[i].Port == port {
			svcPort = &svc.Spec.Ports[i]
		}
	}
	if svcPort == nil {
		return "", fmt.Errorf("service %s/%s has no port %d", namespace, name, port)
	}
	eps, err := d.Endpoints.Endpoints(namespace).Get(name)
	if err != nil {
		return "", fmt.Errorf("endpoints %s/%s: %w", namespace, name, err)
	}
	var candidates []string
	for _, subset := range eps.Subsets {
		for _, p := range subset.Ports {
			// Endpoint ports carry the service port's name; a single
			// unnamed port matches by being the only one.
			if p.Name != svcPort.Name {
				continue
			}
			for _, addr := range subset.Addresses {
				candidates = append(candidates, net.JoinHostPort(addr.IP, strconv.Itoa(int(p.Port))))
			}
		}
	}
	if len(candidates) == 0 {
		return "", fmt.Errorf("service %s/%s: no ready endpoints for port %d", namespace, name, port)
	}
	return candidates[rand.IntN(len(candidates))], nil
}
