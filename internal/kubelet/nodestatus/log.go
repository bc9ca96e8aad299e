package nodestatus

import "github.com/sirupsen/logrus"

var log = logrus.WithField("component", "kubelet-nodestatus")
