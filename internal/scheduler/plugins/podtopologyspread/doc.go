// Package podtopologyspread is PodTopologySpread: the filter for
// whenUnsatisfiable=DoNotSchedule constraints (placing the pod must not
// push a domain's count of matching pods more than maxSkew above the
// least-loaded domain), and the score for ScheduleAnyway constraints,
// which favours the emptier domains. A pod with no constraints gets
// upstream's system defaults — spread by hostname (maxSkew 3) and zone
// (maxSkew 5), ScheduleAnyway — over the pods that share its services,
// ReplicaSet, ReplicationController or StatefulSet (DefaultSelector).
package podtopologyspread
