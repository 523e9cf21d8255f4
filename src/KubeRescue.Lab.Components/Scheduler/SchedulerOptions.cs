using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// kube-scheduler's command line, v1.8 to v1.33: every flag a bootkube, Tectonic, kubeadm or Talos manifest carries
/// is accepted (so a real manifest starts), and the ones that change behaviour here are read. Connection, serving,
/// TLS and logging flags are accepted and have no effect: the lab hands the process its client.
/// </summary>
sealed class SchedulerOptions
{
    readonly Flags _flags = new Flags()
        // Leader election (component-base LeaderElectionConfiguration, and the pre-1.12 names).
        .Bool("leader-elect", true)
        .Duration("leader-elect-lease-duration", "15s")
        .Duration("leader-elect-renew-deadline", "10s")
        .Duration("leader-elect-retry-period", "2s")
        .String("leader-elect-resource-lock", "leases")
        .String("leader-elect-resource-name", "kube-scheduler")
        .String("leader-elect-resource-namespace", "kube-system")
        .String("lock-object-name", "kube-scheduler")
        .String("lock-object-namespace", "kube-system")
        // Which pods are ours (pre-ComponentConfig flag; later the profile's schedulerName).
        .String("scheduler-name", "default-scheduler")
        // Connection.
        .String("kubeconfig")
        .String("master")
        .String("kube-api-content-type", "application/vnd.kubernetes.protobuf")
        .Int("kube-api-qps", 50)
        .Int("kube-api-burst", 100)
        // Configuration files and legacy policy.
        .String("config")
        .String("write-config-to")
        .String("algorithm-provider")
        .String("policy-config-file")
        .String("policy-configmap")
        .String("policy-configmap-namespace", "kube-system")
        .Bool("use-legacy-policy-config")
        .Int("hard-pod-affinity-symmetric-weight", 1)
        .String("failure-domains")
        .Duration("pod-max-in-unschedulable-pods-duration", "5m")
        .String("feature-gates")
        // Serving: insecure (removed in 1.23) and secure.
        .String("address", "0.0.0.0")
        .Int("port", 10251)
        .String("bind-address", "0.0.0.0")
        .Int("secure-port", 10259)
        .String("cert-dir")
        .String("tls-cert-file")
        .String("tls-private-key-file")
        .String("tls-cipher-suites")
        .String("tls-min-version")
        .String("tls-sni-cert-key")
        .Bool("permit-port-sharing")
        .Bool("permit-address-sharing")
        .Bool("profiling", true)
        .Bool("contention-profiling", true)
        .String("show-hidden-metrics-for-version")
        // Delegated authentication and authorization.
        .String("authentication-kubeconfig")
        .String("authorization-kubeconfig")
        .Bool("authentication-skip-lookup")
        .Bool("authentication-tolerate-lookup-failure", true)
        .Duration("authentication-token-webhook-cache-ttl", "10s")
        .String("authorization-always-allow-paths", "/healthz,/readyz,/livez")
        .Duration("authorization-webhook-cache-authorized-ttl", "10s")
        .Duration("authorization-webhook-cache-unauthorized-ttl", "10s")
        .String("client-ca-file")
        .String("requestheader-allowed-names")
        .String("requestheader-client-ca-file")
        .String("requestheader-extra-headers-prefix", "x-remote-extra-")
        .String("requestheader-group-headers", "x-remote-group")
        .String("requestheader-username-headers", "x-remote-user")
        .String("requestheader-uid-headers")
        // Logging (klog and component-base).
        .Int("v", 0)
        .String("vmodule")
        .Bool("logtostderr", true)
        .Bool("alsologtostderr")
        .String("log-dir")
        .String("log-file")
        .Int("log-file-max-size", 1800)
        .String("stderrthreshold", "2")
        .String("log-backtrace-at")
        .Bool("add-dir-header")
        .Bool("skip-headers")
        .Bool("skip-log-headers")
        .Bool("one-output")
        .Duration("log-flush-frequency", "5s")
        .String("logging-format", "text")
        .Bool("version");

    /// <returns>null, or the error cobra prints for a bad flag.</returns>
    public string? Parse(IReadOnlyList<string> args) => _flags.Parse(args);

    public bool LeaderElect => _flags.GetBool("leader-elect");
    public TimeSpan LeaseDuration => _flags.GetDuration("leader-elect-lease-duration");
    public TimeSpan RenewDeadline => _flags.GetDuration("leader-elect-renew-deadline");
    public TimeSpan RetryPeriod => _flags.GetDuration("leader-elect-retry-period");

    // The deprecated lock-object-* flags still win when set, as kube-scheduler's option merging does.
    public string LeaseName => _flags.Get("lock-object-name") is { } legacy && legacy != "kube-scheduler" ? legacy : _flags.Get("leader-elect-resource-name")!;
    public string LeaseNamespace => _flags.Get("lock-object-namespace") is { } legacy && legacy != "kube-system" ? legacy : _flags.Get("leader-elect-resource-namespace")!;
    public string ResourceLock => _flags.Get("leader-elect-resource-lock")!;
    public string SchedulerName => _flags.Get("scheduler-name")!;
    public TimeSpan MaxInUnschedulablePods => _flags.GetDuration("pod-max-in-unschedulable-pods-duration");
}
