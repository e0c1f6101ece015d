import Foundation

extension FieldValidator {
    /// Selector present, non-empty and matching the template's labels.
    mutating func validateSelector(_ selector: LabelSelector?, template: PodTemplateSpec?, kind: String, path: String) {
        guard let selector else {
            add(.required("\(path).selector"))
            return
        }
        let before = errors.count
        validateLabelSelector(selector, path: "\(path).selector")
        if errors.count > before { return }  // an invalid selector matches nothing; one error is enough
        if selector.isEmpty {
            add(.invalid("\(path).selector", "", "empty selector is invalid for \(kind)"))
        }
        if let template, !selector.matches(template.metadata?.labels ?? [:]) {
            let labels = (template.metadata?.labels ?? [:]).sorted { $0.key < $1.key }
                .map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ", ")
            add(FieldError(field: "\(path).template.metadata.labels",
                message: "Invalid value: map[string]string{\(labels)}: `selector` does not match template `labels`"))
        }
    }

    mutating func validateTemplate(_ template: PodTemplateSpec, path: String, allowedRestart: [RestartPolicy]) {
        if let meta = template.metadata {
            validateLabels(meta.labels, path: "\(path).metadata.labels")
            validateAnnotations(meta.annotations, path: "\(path).metadata.annotations")
        }
        validatePodSpec(template.spec, path: "\(path).spec")
        let policy = template.spec.restartPolicy ?? .always
        if policy.isSupported, !allowedRestart.contains(policy) {
            add(.unsupported("\(path).spec.restartPolicy", policy.rawValue, supported: allowedRestart.map(\.rawValue)))
        }
        if template.spec.activeDeadlineSeconds != nil, allowedRestart == [.always] {
            add(.forbidden("\(path).spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"))
        }
    }

    mutating func validateIntOrPercent(_ value: IntOrString?, _ path: String, maxPercent: Bool) {
        guard let value else { return }
        switch value {
        case .int(let number):
            validateNonNegative(number, path)
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int(text.dropLast()) else {
                add(.invalid(path, text, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"))
                return
            }
            if percent < 0 { add(.invalid(path, text, "must be greater than or equal to 0")) }
            if maxPercent, percent > 100 { add(.invalid(path, text, "must not be greater than 100%")) }
        }
    }

    mutating func validate(_ deployment: Deployment) {
        validateMeta(deployment.metadata, nameRule: .dns1123Subdomain)
        let spec = deployment.spec
        validateNonNegative(spec.replicas, "spec.replicas")
        validateSelector(spec.selector, template: spec.template, kind: "deployment", path: "spec")
        validateTemplate(spec.template, path: "spec.template", allowedRestart: [.always])
        if let strategy = spec.strategy {
            validateEnum(strategy.type, "spec.strategy.type")
            if strategy.type == .recreate, strategy.rollingUpdate != nil {
                add(.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"))
            }
            if let rolling = strategy.rollingUpdate, strategy.type != .recreate {
                validateIntOrPercent(rolling.maxSurge, "spec.strategy.rollingUpdate.maxSurge", maxPercent: false)
                validateIntOrPercent(rolling.maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", maxPercent: true)
                let surgeZero = rolling.maxSurge == .int(0) || rolling.maxSurge == .string("0%")
                let unavailableZero = rolling.maxUnavailable == .int(0) || rolling.maxUnavailable == .string("0%")
                if surgeZero && unavailableZero {
                    add(.invalid("spec.strategy.rollingUpdate.maxUnavailable", rolling.maxUnavailable!.description, "may not be 0 when `maxSurge` is 0"))
                }
            }
        }
        validateNonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit")
        validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds")
        if let deadline = spec.progressDeadlineSeconds {
            validatePositive(deadline, "spec.progressDeadlineSeconds")
            if deadline <= (spec.minReadySeconds ?? 0) {
                add(.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
            }
        }
    }

    mutating func validate(_ replicaSet: ReplicaSet) {
        validateMeta(replicaSet.metadata, nameRule: .dns1123Subdomain)
        let spec = replicaSet.spec
        validateNonNegative(spec.replicas, "spec.replicas")
        validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds")
        validateSelector(spec.selector, template: spec.template, kind: "replicaset", path: "spec")
        if let template = spec.template {
            validateTemplate(template, path: "spec.template", allowedRestart: [.always])
        } else if spec.desiredReplicas > 0 {
            add(.required("spec.template"))
        }
    }

    mutating func validate(_ daemonSet: DaemonSet) {
        validateMeta(daemonSet.metadata, nameRule: .dns1123Subdomain)
        let spec = daemonSet.spec
        validateSelector(spec.selector, template: spec.template, kind: "daemonset", path: "spec")
        validateTemplate(spec.template, path: "spec.template", allowedRestart: [.always])
        if let type = spec.updateStrategy?.type, !["RollingUpdate", "OnDelete"].contains(type) {
            add(.unsupported("spec.updateStrategy.type", type, supported: ["OnDelete", "RollingUpdate"]))
        }
        if let rolling = spec.updateStrategy?.rollingUpdate {
            validateIntOrPercent(rolling.maxUnavailable, "spec.updateStrategy.rollingUpdate.maxUnavailable", maxPercent: true)
            validateIntOrPercent(rolling.maxSurge, "spec.updateStrategy.rollingUpdate.maxSurge", maxPercent: true)
        }
        validateNonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit")
        validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds")
    }

    mutating func validateJobSpec(_ spec: JobSpec, path: String) {
        validateNonNegative(spec.parallelism, "\(path).parallelism")
        validateNonNegative(spec.completions, "\(path).completions")
        validateNonNegative(spec.backoffLimit, "\(path).backoffLimit")
        validatePositive(spec.activeDeadlineSeconds, "\(path).activeDeadlineSeconds")
        validateNonNegative(spec.ttlSecondsAfterFinished, "\(path).ttlSecondsAfterFinished")
        if let mode = spec.completionMode, !["NonIndexed", "Indexed"].contains(mode) {
            add(.unsupported("\(path).completionMode", mode, supported: ["NonIndexed", "Indexed"]))
        }
        if spec.completionMode == "Indexed", spec.completions == nil {
            add(.required("\(path).completions", "when completion mode is Indexed"))
        }
        if spec.selector != nil {
            validateSelector(spec.selector, template: spec.template, kind: "job", path: path)
        }
        validateTemplate(spec.template, path: "\(path).template", allowedRestart: [.onFailure, .never])
        if let policy = spec.podFailurePolicy {
            let here = "\(path).podFailurePolicy"
            if spec.template.spec.restartPolicy != .never {
                add(.invalid("\(path).template.spec.restartPolicy", (spec.template.spec.restartPolicy ?? .always).rawValue,
                    "only \"Never\" is supported when podFailurePolicy is specified"))
            }
            if policy.rules.count > 20 {
                add(FieldError(field: "\(here).rules", message: "Too many: \(policy.rules.count): must have at most 20 items"))
            }
            let actions = ["Count", "FailIndex", "FailJob", "Ignore"]
            for (index, rule) in policy.rules.enumerated() {
                let rulePath = "\(here).rules[\(index)]"
                if !actions.contains(rule.action) { add(.unsupported("\(rulePath).action", rule.action, supported: actions)) }
                switch (rule.onExitCodes, rule.onPodConditions) {
                case (nil, nil), (nil, .some([])):
                    add(.invalid(rulePath, "", "specifying one of OnExitCodes and OnPodConditions is required"))
                case (.some, .some(let conditions)) where !conditions.isEmpty:
                    add(.invalid(rulePath, "", "specifying both OnExitCodes and OnPodConditions is not supported"))
                default:
                    break
                }
                if let codes = rule.onExitCodes {
                    let codePath = "\(rulePath).onExitCodes"
                    if !["In", "NotIn"].contains(codes.operator) {
                        add(.unsupported("\(codePath).operator", codes.operator, supported: ["In", "NotIn"]))
                    }
                    if codes.values.isEmpty { add(.required("\(codePath).values")) }
                    if codes.values.count > 255 {
                        add(FieldError(field: "\(codePath).values", message: "Too many: \(codes.values.count): must have at most 255 items"))
                    }
                    var seen = Set<Int>()
                    for (v, value) in codes.values.enumerated() {
                        if !seen.insert(value).inserted { add(.duplicate("\(codePath).values[\(v)]", value)) }
                        if codes.operator == "In", value == 0 {
                            add(.invalid("\(codePath).values[\(v)]", 0, "must not be 0 for the In operator"))
                        }
                    }
                }
                for (c, condition) in (rule.onPodConditions ?? []).enumerated() {
                    if condition.type.isEmpty { add(.required("\(rulePath).onPodConditions[\(c)].type")) }
                    validateEnum(condition.status, "\(rulePath).onPodConditions[\(c)].status")
                }
            }
        }
    }

    mutating func validate(_ job: Job) {
        validateMeta(job.metadata, nameRule: .dns1123Subdomain)
        validateJobSpec(job.spec, path: "spec")
    }

    mutating func validate(_ cronJob: CronJob) {
        validateMeta(cronJob.metadata, nameRule: .dns1123Subdomain)
        if let name = cronJob.metadata.name, name.utf8.count > 52 {
            add(.invalid("metadata.name", name, "must be no more than 52 characters"))
        }
        let spec = cronJob.spec
        if spec.schedule.isEmpty {
            add(.required("spec.schedule"))
        } else if spec.schedule.contains("TZ=") {
            add(.invalid("spec.schedule", spec.schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
        } else if let problem = CronSchedule.problem(spec.schedule) {
            add(.invalid("spec.schedule", spec.schedule, problem))
        }
        if let zone = spec.timeZone, TimeZone(identifier: zone) == nil || zone.isEmpty {
            add(.invalid("spec.timeZone", zone, "unknown time zone \(zone)"))
        }
        validateEnum(spec.concurrencyPolicy, "spec.concurrencyPolicy")
        validateNonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds")
        validateNonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit")
        validateNonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit")
        validateJobSpec(spec.jobTemplate.spec, path: "spec.jobTemplate.spec")
    }
}
