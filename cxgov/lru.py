"""A small in-process store of values by key, bounded by their size (the charts' pictures and
tables, the PDFs laid out), least recently used first out."""
import threading
from collections import OrderedDict


class SizedLRU:
    """Values by key, least recently used first out, at most `limit` in size in all (each value's
    size as its `size_of` says: characters, bytes). Thread-safe; a miss makes the value outside
    the lock (two threads may both make the same one). A kept value is shared: it is not to be
    changed."""

    def __init__(self, limit):
        self.limit, self.size, self.entries, self.lock = limit, 0, OrderedDict(), threading.Lock()
        self.hits = self.misses = 0

    def get_by_key(self, key, make, size_of=len):
        """The value kept under `key`, or made by `make()` and kept (its size: `size_of(value)`)."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        value = make()
        size = size_of(value)
        with self.lock:
            if key not in self.entries and size <= self.limit:
                self.entries[key] = (value, size)
                self.size += size
                while self.size > self.limit:
                    self.size -= self.entries.popitem(last=False)[1][1]
        return value

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = self.hits = self.misses = 0
