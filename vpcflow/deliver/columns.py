"""The record tuple a producer (the emulator's capture, the lab's agent) hands to a writer: each value's index.

It lives with delivery, the lower layer: producers build these tuples, writers read them.
"""

(I_IFACE, I_SRC, I_DST, I_SPORT, I_DPORT, I_PROTO, I_PACKETS, I_BYTES, I_START, I_END, I_ACTION, I_STATUS,
 I_FLAGS, I_PKT_SRC, I_PKT_DST, I_DIRECTION, I_PATH) = range(17)
