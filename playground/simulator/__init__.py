"""A local simulator of the Starrise AI gateway, speaking its wire formats exactly.

Its own small web app (standard library HTTP server, no Django settings): run it with
`python -m playground.simulator`; docs/simulator.md lists its settings, control API and faults.
"""
