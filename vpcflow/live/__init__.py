"""Live: one process holds the store, follows deliveries, detects, alarms and serves; other processes go through it."""
