package framework

import "k8s.io/apimachinery/pkg/api/resource"

func resourceQuantityMilli(m int64) *resource.Quantity {
	return resource.NewMilliQuantity(m, resource.DecimalSI)
}

func resourceQuantity(v int64) *resource.Quantity {
	return resource.NewQuantity(v, resource.BinarySI)
}
