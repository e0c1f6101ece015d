// swiftlet-bridge: a CNI 1.0 bridge plugin.
print("swiftlet-bridge: CNI plugin")
