"""Who reaches what: exposure of the entries, the origin secret and lockdown, web ACLs, IAM documents."""
