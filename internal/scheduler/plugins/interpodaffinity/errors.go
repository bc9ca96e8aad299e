package interpodaffinity

import "errors"

var errNoState = errors.New("InterPodAffinity: PreFilter state missing")
