package queue

import "container/heap"

// podHeap is a heap of queued pods under less, with an index by key so
// entries can be updated or removed.
type podHeap struct {
	items []*QueuedPod
	index map[string]int
	less  func(a, b *QueuedPod) bool
}

func newPodHeap(less func(a, b *QueuedPod) bool) *podHeap {
	return &podHeap{index: map[string]int{}, less: less}
}

func (h *podHeap) Len() int           { return len(h.items) }
func (h *podHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *podHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.index[h.items[i].key] = i
	h.index[h.items[j].key] = j
}
func (h *podHeap) Push(x any) {
	qp := x.(*QueuedPod)
	h.index[qp.key] = len(h.items)
	h.items = append(h.items, qp)
}
func (h *podHeap) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.index, last.key)
	return last
}

// add inserts or replaces qp.
func (h *podHeap) add(qp *QueuedPod) {
	if i, ok := h.index[qp.key]; ok {
		h.items[i] = qp
		heap.Fix(h, i)
		return
	}
	heap.Push(h, qp)
}

func (h *podHeap) get(key string) *QueuedPod {
	if i, ok := h.index[key]; ok {
		return h.items[i]
	}
	return nil
}

func (h *podHeap) remove(key string) *QueuedPod {
	i, ok := h.index[key]
	if !ok {
		return nil
	}
	return heap.Remove(h, i).(*QueuedPod)
}

func (h *podHeap) peek() *QueuedPod {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *podHeap) pop() *QueuedPod {
	if len(h.items) == 0 {
		return nil
	}
	return heap.Pop(h).(*QueuedPod)
}
