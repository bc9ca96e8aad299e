package eviction

import "github.com/sirupsen/logrus"

var log = logrus.WithField("component", "kubelet-eviction")
