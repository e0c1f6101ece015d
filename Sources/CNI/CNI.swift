// CNI module.
