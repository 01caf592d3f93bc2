// Route, gateway and leaf RTTs on a loaded test machine (two cores, many servers) reach 100 ms on
// 127.0.0.1: the RTT checks are proved on captured replies, and real-server tests raise them.
export const LOADED_MACHINE = { "route-rtt-warn": "10s", "gateway-rtt-warn": "10s", "leaf-rtt-warn": "10s" };
