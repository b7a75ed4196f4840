"""GTO compatibility: the `.gto` config and GTO-shaped JSON views (`show`, `history`, `check-ref`)."""
