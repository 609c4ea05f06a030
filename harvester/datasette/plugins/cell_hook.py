"""Datasette plugin: the render_cell hook, asked about every cell of every page, is called without pluggy's overhead.

Datasette 0.65 asks the render_cell hook about each cell it shows (`display_columns_and_rows` for a table or row
page, the query view for a canned query): 2,424 calls on the letters page. pluggy's HookCaller checks the
arguments against the specification, copies the list of implementations and runs its multicall loop (which
handles wrappers) for every call: ~1.6 µs a call before any plugin's code runs, ~4 ms of the ~32 ms of CPU the
letters page costs. Neither Datasette nor pluggy offers a cheaper way to call a hook, so the one HookCaller object
Datasette calls, `pm.hook.render_cell`, is given DirectCaller as its class: the same object and the same
implementations, registered and listed by pluggy as before, called in pluggy's order (the last registered first)
with the same arguments, returning the same list of the results that are not None; whenever an implementation
needs pluggy's machinery (an old- or new-style wrapper, keyword arguments) the call is pluggy's own. pluggy's call
monitoring (`pm.add_hookcall_monitoring`, which nothing here uses) does not see these calls.
tests/test_datasette_speed.py fails if Datasette or pluggy is not the version this was checked against.

Loaded from the plugins directory by `harvester serve` and by plain `datasette` on a `harvester publish` copy, so
it imports nothing from the harvester.
"""

from __future__ import annotations

from datasette.plugins import pm
from pluggy import HookCaller


class DirectCaller(HookCaller):
    __slots__ = ()

    def __call__(self, **kwargs):
        implementations = self._hookimpls
        for implementation in implementations:
            if implementation.hookwrapper or implementation.wrapper or implementation.kwargnames:
                return HookCaller.__call__(self, **kwargs)
        results = []
        for implementation in reversed(implementations):
            result = implementation.function(*[kwargs[name] for name in implementation.argnames])
            if result is not None:
                results.append(result)
        return results


def call_directly(caller: HookCaller) -> None:
    """CALLER (pluggy's own HookCaller, not a subset or another plugin's subclass) as a DirectCaller."""
    if type(caller) is HookCaller:
        caller.__class__ = DirectCaller


call_directly(pm.hook.render_cell)
