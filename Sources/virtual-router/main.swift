import VirtualRouter

// Starts a virtual OpenWrt router by hand (see README).
print("virtual-router: not yet available")
