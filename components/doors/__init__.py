"""Front doors: one module per `frontDoor` value (its facts and component), the edge routing table, the
stack's names and certificates, and the composition of the doors a stack deploys (composition.py).

Importing this package imports nothing else, so its pure modules (edge_routing) stay free of Pulumi."""
