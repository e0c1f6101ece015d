/// The protobuf field numbers of the built-in types kubectl's typed clients send
/// (`kubectl create deployment|configmap|secret|namespace|service|job|cronjob` encode their
/// bodies as `application/vnd.kubernetes.protobuf`), as the Kubernetes API's wire format
/// defines them, with each field's JSON name and type.
enum ProtobufSchemas {
    indirect enum FieldType {
        case string, bytes, int, bool
        case message(String)
        case stringMap, bytesMap
        case messageMap(String)
        case intOrString, time, quantity
        /// Server-owned (status): read and dropped.
        case ignored
        /// A message Swiftlet has no protobuf schema for: accepted only when empty (Go
        /// writes empty embedded structs); with content, the client is asked for JSON.
        case opaque
    }

    struct Field {
        var name: String
        var type: FieldType
        var repeated = false
        /// A pointer field in Go: present on the wire only when set, so a zero is meant.
        var keepsZero = false
    }

    typealias Message = [Int: Field]

    /// The root message for an object's kind.
    static let roots: [String: String] = [
        "Deployment": "Deployment", "ConfigMap": "ConfigMap", "Secret": "Secret", "Namespace": "Namespace",
        "Service": "Service", "Job": "Job", "CronJob": "CronJob", "Pod": "Pod",
    ]

    private static func f(_ name: String, _ type: FieldType, repeated: Bool = false, zero: Bool = false) -> Field {
        Field(name: name, type: type, repeated: repeated, keepsZero: zero)
    }

    static let messages: [String: Message] = [
        "ObjectMeta": [
            1: f("name", .string), 2: f("generateName", .string), 3: f("namespace", .string), 4: f("selfLink", .string),
            5: f("uid", .string), 6: f("resourceVersion", .string), 7: f("generation", .int), 8: f("creationTimestamp", .time),
            9: f("deletionTimestamp", .time), 10: f("deletionGracePeriodSeconds", .int, zero: true), 11: f("labels", .stringMap),
            12: f("annotations", .stringMap), 13: f("ownerReferences", .message("OwnerReference"), repeated: true),
            14: f("finalizers", .string, repeated: true), 17: f("managedFields", .ignored, repeated: true),
        ],
        "OwnerReference": [
            5: f("apiVersion", .string), 1: f("kind", .string), 3: f("name", .string), 4: f("uid", .string),
            6: f("controller", .bool), 7: f("blockOwnerDeletion", .bool),
        ],
        "LabelSelector": [1: f("matchLabels", .stringMap), 2: f("matchExpressions", .message("LabelSelectorRequirement"), repeated: true)],
        "LabelSelectorRequirement": [1: f("key", .string), 2: f("operator", .string), 3: f("values", .string, repeated: true)],
        "Deployment": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("DeploymentSpec")), 3: f("status", .ignored)],
        "DeploymentSpec": [
            1: f("replicas", .int, zero: true), 2: f("selector", .message("LabelSelector")), 3: f("template", .message("PodTemplateSpec")),
            4: f("strategy", .message("DeploymentStrategy")), 5: f("minReadySeconds", .int), 6: f("revisionHistoryLimit", .int, zero: true),
            7: f("paused", .bool), 9: f("progressDeadlineSeconds", .int, zero: true),
        ],
        "DeploymentStrategy": [1: f("type", .string), 2: f("rollingUpdate", .message("RollingUpdateDeployment"))],
        "RollingUpdateDeployment": [1: f("maxUnavailable", .intOrString), 2: f("maxSurge", .intOrString)],
        "PodTemplateSpec": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("PodSpec"))],
        "Pod": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("PodSpec")), 3: f("status", .ignored)],
        "PodSpec": [
            2: f("containers", .message("Container"), repeated: true), 20: f("initContainers", .message("Container"), repeated: true),
            3: f("restartPolicy", .string), 4: f("terminationGracePeriodSeconds", .int, zero: true),
            5: f("activeDeadlineSeconds", .int, zero: true), 6: f("dnsPolicy", .string), 7: f("nodeSelector", .stringMap),
            8: f("serviceAccountName", .string), 9: f("serviceAccount", .string), 10: f("nodeName", .string),
            11: f("hostNetwork", .bool), 12: f("hostPID", .bool), 13: f("hostIPC", .bool), 14: f("securityContext", .ignored),
            16: f("hostname", .string), 17: f("subdomain", .string), 19: f("schedulerName", .string),
            27: f("shareProcessNamespace", .bool), 30: f("enableServiceLinks", .bool, zero: true),
            1: f("volumes", .opaque, repeated: true), 34: f("ephemeralContainers", .opaque, repeated: true),
            21: f("automountServiceAccountToken", .bool, zero: true), 15: f("imagePullSecrets", .opaque, repeated: true),
            18: f("affinity", .opaque), 22: f("tolerations", .opaque, repeated: true), 23: f("hostAliases", .opaque, repeated: true),
            24: f("priorityClassName", .string), 25: f("priority", .int, zero: true), 26: f("dnsConfig", .opaque),
            28: f("readinessGates", .opaque, repeated: true), 29: f("runtimeClassName", .string), 31: f("preemptionPolicy", .string),
            32: f("overhead", .messageMap("Quantity")), 33: f("topologySpreadConstraints", .opaque, repeated: true),
            35: f("setHostnameAsFQDN", .bool), 36: f("os", .opaque), 37: f("hostUsers", .bool, zero: true),
            38: f("schedulingGates", .opaque, repeated: true), 39: f("resourceClaims", .opaque, repeated: true),
            40: f("resources", .message("ResourceRequirements")), 41: f("hostnameOverride", .string), 43: f("schedulingGroup", .opaque),
            44: f("evictionResponders", .opaque, repeated: true),
        ],
        "Container": [
            1: f("name", .string), 2: f("image", .string), 3: f("command", .string, repeated: true), 4: f("args", .string, repeated: true),
            5: f("workingDir", .string), 6: f("ports", .message("ContainerPort"), repeated: true), 7: f("env", .message("EnvVar"), repeated: true),
            8: f("resources", .message("ResourceRequirements")), 9: f("volumeMounts", .message("VolumeMount"), repeated: true),
            13: f("terminationMessagePath", .string), 14: f("imagePullPolicy", .string), 16: f("stdin", .bool), 17: f("stdinOnce", .bool),
            18: f("tty", .bool), 20: f("terminationMessagePolicy", .string), 19: f("envFrom", .opaque, repeated: true),
            23: f("resizePolicy", .opaque, repeated: true), 24: f("restartPolicy", .string), 25: f("restartPolicyRules", .opaque, repeated: true),
            21: f("volumeDevices", .opaque, repeated: true), 10: f("livenessProbe", .opaque), 11: f("readinessProbe", .opaque),
            22: f("startupProbe", .opaque), 12: f("lifecycle", .opaque), 15: f("securityContext", .opaque),
        ],
        "ContainerPort": [1: f("name", .string), 2: f("hostPort", .int), 3: f("containerPort", .int), 4: f("protocol", .string), 5: f("hostIP", .string)],
        "Quantity": [1: f("string", .string)],
        "EnvVar": [1: f("name", .string), 2: f("value", .string), 3: f("valueFrom", .opaque)],
        "ResourceRequirements": [
            1: f("limits", .messageMap("Quantity")), 2: f("requests", .messageMap("Quantity")), 3: f("claims", .opaque, repeated: true),
        ],
        "VolumeMount": [
            1: f("name", .string), 2: f("readOnly", .bool), 3: f("mountPath", .string), 4: f("subPath", .string),
            7: f("recursiveReadOnly", .string), 5: f("mountPropagation", .string), 6: f("subPathExpr", .string),
            8: f("bindMountOptions", .string, repeated: true),
        ],
        "ConfigMap": [1: f("metadata", .message("ObjectMeta")), 4: f("immutable", .bool), 2: f("data", .stringMap), 3: f("binaryData", .bytesMap)],
        "Secret": [
            1: f("metadata", .message("ObjectMeta")), 5: f("immutable", .bool), 2: f("data", .bytesMap), 4: f("stringData", .stringMap),
            3: f("type", .string),
        ],
        "Namespace": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("NamespaceSpec")), 3: f("status", .ignored)],
        "NamespaceSpec": [1: f("finalizers", .string, repeated: true)],
        "Service": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("ServiceSpec")), 3: f("status", .ignored)],
        "ServiceSpec": [
            1: f("ports", .message("ServicePort"), repeated: true), 2: f("selector", .stringMap), 3: f("clusterIP", .string),
            18: f("clusterIPs", .string, repeated: true), 4: f("type", .string), 5: f("externalIPs", .string, repeated: true),
            7: f("sessionAffinity", .string), 10: f("externalName", .string), 11: f("externalTrafficPolicy", .string),
            13: f("publishNotReadyAddresses", .bool), 19: f("ipFamilies", .string, repeated: true), 17: f("ipFamilyPolicy", .string),
            22: f("internalTrafficPolicy", .string), 8: f("loadBalancerIP", .string), 9: f("loadBalancerSourceRanges", .string, repeated: true),
            12: f("healthCheckNodePort", .int), 14: f("sessionAffinityConfig", .opaque), 20: f("allocateLoadBalancerNodePorts", .bool, zero: true),
            21: f("loadBalancerClass", .string), 23: f("trafficDistribution", .string),
        ],
        "ServicePort": [
            1: f("name", .string), 2: f("protocol", .string), 6: f("appProtocol", .string), 3: f("port", .int),
            4: f("targetPort", .intOrString), 5: f("nodePort", .int),
        ],
        "Job": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("JobSpec")), 3: f("status", .ignored)],
        "JobSpec": [
            1: f("parallelism", .int, zero: true), 2: f("completions", .int, zero: true), 3: f("activeDeadlineSeconds", .int, zero: true),
            7: f("backoffLimit", .int, zero: true), 4: f("selector", .message("LabelSelector")), 5: f("manualSelector", .bool),
            6: f("template", .message("PodTemplateSpec")), 8: f("ttlSecondsAfterFinished", .int, zero: true),
            9: f("completionMode", .string), 10: f("suspend", .bool), 11: f("podFailurePolicy", .opaque), 16: f("successPolicy", .opaque),
            12: f("backoffLimitPerIndex", .int, zero: true), 13: f("maxFailedIndexes", .int, zero: true),
            14: f("podReplacementPolicy", .string), 15: f("managedBy", .string), 17: f("scheduling", .opaque),
        ],
        "JobTemplateSpec": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("JobSpec"))],
        "CronJob": [1: f("metadata", .message("ObjectMeta")), 2: f("spec", .message("CronJobSpec")), 3: f("status", .ignored)],
        "CronJobSpec": [
            1: f("schedule", .string), 8: f("timeZone", .string), 2: f("startingDeadlineSeconds", .int, zero: true),
            3: f("concurrencyPolicy", .string), 4: f("suspend", .bool), 5: f("jobTemplate", .message("JobTemplateSpec")),
            6: f("successfulJobsHistoryLimit", .int, zero: true), 7: f("failedJobsHistoryLimit", .int, zero: true),
        ],
    ]
}
