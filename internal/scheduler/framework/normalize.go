package framework

// DefaultNormalizeScore scales scores so the highest becomes maxPriority
// (and, with reverse, inverts them: the lowest raw score wins). All-zero
// scores become maxPriority with reverse, else stay 0 — upstream's
// helper, which TaintToleration and NodeAffinity use.
func DefaultNormalizeScore(maxPriority int64, reverse bool, scores []NodeScore) {
	var max int64
	for _, s := range scores {
		if s.Score > max {
			max = s.Score
		}
	}
	if max == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
		}
		return
	}
	for i := range scores {
		s := maxPriority * scores[i].Score / max
		if reverse {
			s = maxPriority - s
		}
		scores[i].Score = s
	}
}
