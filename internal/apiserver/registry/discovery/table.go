package discovery

import (
	"fmt"
	"strconv"
	"strings"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hanok-dev/hanok/internal/apiserver/registry"
)

// maxListed is how many ports or addresses kubectl prints before
// summarising the rest as "+ N more...".
const maxListed = 3

// TableColumns are kubectl's: ADDRESSTYPE PORTS ENDPOINTS AGE.
func (endpointSliceStrategy) TableColumns() []metav1.TableColumnDefinition {
	doc := discoveryv1.EndpointSlice{}.SwaggerDoc()
	return []metav1.TableColumnDefinition{
		{Name: "AddressType", Type: "string", Description: doc["addressType"]},
		{Name: "Ports", Type: "string", Description: doc["ports"]},
		{Name: "Endpoints", Type: "string", Description: doc["endpoints"]},
		registry.AgeColumn,
	}
}

func (endpointSliceStrategy) TableRow(obj runtime.Object) []interface{} {
	s := obj.(*discoveryv1.EndpointSlice)
	var ports []string
	for _, p := range s.Ports {
		switch {
		case p.Port != nil:
			ports = append(ports, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			ports = append(ports, *p.Name)
		default:
			ports = append(ports, "*") // all ports
		}
	}
	var addrs []string
	for _, ep := range s.Endpoints {
		addrs = append(addrs, ep.Addresses...)
	}
	return []interface{}{string(s.AddressType), summarise(ports), summarise(addrs), registry.Age(obj)}
}

// summarise joins the first few items and counts the rest, or says <unset>.
func summarise(items []string) string {
	if len(items) == 0 {
		return "<unset>"
	}
	if len(items) <= maxListed {
		return strings.Join(items, ",")
	}
	return fmt.Sprintf("%s + %d more...", strings.Join(items[:maxListed], ","), len(items)-maxListed)
}
