"""Workflows kept deserialised in this process between the steps of their case.

Deserialising a case's workflow was the largest part of a step.  After a step saves a workflow,
the object it was saved from is kept here under the SHA-256 digest of the saved bytes; the next
step of that case, if it runs in this process and finds exactly those bytes in the row, takes the
object instead of parsing the bytes.  Any other writer (another worker or host, a migration, a
rolled back step) leaves other bytes in the row, so a stale object is never found: the bytes are
the version check.  SHA-256 because PostgreSQL computes the same digest of the row's bytes, so a
step can ask for the digest alone and leave the blob in the database when it is kept here.  A
workflow is taken out while a step uses it, and dropped when it changes without being saved, so
no two steps share one object.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock

# Workflows kept per process (least recently saved ones go first).
WARM_WORKFLOWS = 128


class WarmWorkflows:
    def __init__(self, size: int = WARM_WORKFLOWS):
        self.size = size
        self._kept: OrderedDict[bytes, object] = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def digest(blob: bytes) -> bytes:
        """What a workflow saved as `blob` is kept under (PostgreSQL's `sha256(blob)`)."""
        return hashlib.sha256(blob).digest()

    def keep(self, blob: bytes, workflow) -> bytes:
        """Keep `workflow` as the object `blob` was saved from; returns the key it is kept under."""
        key = self.digest(blob)
        with self._lock:
            self._kept[key] = workflow
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return key

    def take(self, key: bytes):
        """The object saved as the bytes of this digest, taken out of the cache; None when not kept here."""
        with self._lock:
            workflow = self._kept.pop(key, None)
            if workflow is None:
                self.misses += 1
            else:
                self.hits += 1
        return workflow

    def forget(self, key: bytes, workflow) -> None:
        """`workflow` is changing: drop it if it is still kept under `key`."""
        with self._lock:
            if self._kept.get(key) is workflow:
                del self._kept[key]

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
