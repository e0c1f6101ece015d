// Kubelet module.
