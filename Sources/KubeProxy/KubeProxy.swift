// KubeProxy module.
