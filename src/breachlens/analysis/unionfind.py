"""Disjoint sets over the integers 0..n-1, shared by the duplicate finder and the actor-galaxy merge.

Both group items that are linked pairwise (copies of copies, clusters that share an id or a name); one helper
keeps the path-halving and the choice of root in one place.
"""

from __future__ import annotations


class UnionFind:
    """Groups of 0..size-1; a group's root is its smallest member, so callers can rank items by index."""

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))

    def find(self, i: int) -> int:
        """Root of i's group, with path halving."""
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Join the groups of i and j; the root is the smaller of the two roots."""
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self._parent[max(ri, rj)] = min(ri, rj)
