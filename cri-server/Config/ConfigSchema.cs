using static CriO.Server.Config.ConfigChecks;
using K = CriO.Server.Config.ConfigKeys<CriO.Server.Config.CrioConfig>;
using H = CriO.Server.Config.ConfigKeys<CriO.Server.Config.RuntimeHandlerSettings>;

namespace CriO.Server.Config;

/// <summary>
/// Every key CriO reads, with CRI-O's table and key names and flags. Loading, flag overrides,
/// `crio config` and the Status verbose info all walk this one list.
/// </summary>
public static class ConfigSchema
{
    public const string RuntimesTable = "crio.runtime.runtimes";

    public static readonly string[] LogLevels = ["trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"];

    public static IReadOnlyList<ConfigTable> Tables { get; } =
    [
        new("crio", "Where containers/storage keeps images and containers, and daemon files.",
        [
            K.Text("root", c => c.Root, (c, v) => c.Root = v, "Graph root of containers/storage.", "--root", AbsolutePath),
            K.Text("runroot", c => c.RunRoot, (c, v) => c.RunRoot = v, "Run root of containers/storage (state that does not survive a reboot).", "--runroot", AbsolutePath),
            K.Text("storage_driver", c => c.StorageDriver, (c, v) => c.StorageDriver = v, "Storage driver.", "--storage-driver", OneOf("overlay")),
            K.TextList("storage_option", c => c.StorageOptions, (c, v) => c.StorageOptions = v, "Storage driver options.", "--storage-opt"),
            K.Text("log_dir", c => c.LogDir, (c, v) => c.LogDir = v, "Default folder for container logs when the kubelet gives none.", "--log-dir", AbsolutePath),
            K.Text("version_file", c => c.VersionFile, (c, v) => c.VersionFile = v, "Written at start-up; its absence tells a reboot happened.", "--version-file", AbsolutePathOrEmpty),
            K.Text("version_file_persist", c => c.VersionFilePersist, (c, v) => c.VersionFilePersist = v, "Like version_file, across reboots: tells an upgrade happened.", "--version-file-persist", AbsolutePathOrEmpty),
            K.Text("clean_shutdown_file", c => c.CleanShutdownFile, (c, v) => c.CleanShutdownFile = v, "Written on a clean shutdown; its absence at start-up triggers a store check.", "--clean-shutdown-file", AbsolutePathOrEmpty),
            K.Boolean("internal_wipe", c => c.InternalWipe, (c, v) => c.InternalWipe = v, "Remove containers and images left from before a reboot or upgrade.", "--internal-wipe"),
            K.Boolean("internal_repair", c => c.InternalRepair, (c, v) => c.InternalRepair = v, "Check and repair the store after an unclean shutdown.", "--internal-repair"),
        ]),
        new("crio.api", "The CRI gRPC socket and the streaming server.",
        [
            K.Text("listen", c => c.Api.Listen, (c, v) => c.Api.Listen = v, "Unix socket the kubelet connects to.", "--listen", AbsolutePath),
            K.Text("stream_address", c => c.Api.StreamAddress, (c, v) => c.Api.StreamAddress = v, "IP address of the exec/attach/port-forward streaming server.", "--stream-address"),
            K.Text("stream_port", c => c.Api.StreamPort, (c, v) => c.Api.StreamPort = v, "Port of the streaming server; \"0\" picks a free one.", "--stream-port", PortText),
            K.Boolean("stream_enable_tls", c => c.Api.StreamEnableTls, (c, v) => c.Api.StreamEnableTls = v, "Serve streaming over TLS.", "--stream-enable-tls"),
            K.Text("stream_idle_timeout", c => c.Api.StreamIdleTimeout, (c, v) => c.Api.StreamIdleTimeout = v, "Close an idle streaming connection after this long (empty: never).", "--stream-idle-timeout", DurationOrEmpty),
            K.Text("stream_tls_cert", c => c.Api.StreamTlsCert, (c, v) => c.Api.StreamTlsCert = v, "Certificate of the streaming server.", "--stream-tls-cert", AbsolutePathOrEmpty),
            K.Text("stream_tls_key", c => c.Api.StreamTlsKey, (c, v) => c.Api.StreamTlsKey = v, "Key of the streaming server.", "--stream-tls-key", AbsolutePathOrEmpty),
            K.Text("stream_tls_ca", c => c.Api.StreamTlsCa, (c, v) => c.Api.StreamTlsCa = v, "CA that client certificates of the streaming server must chain to.", "--stream-tls-ca", AbsolutePathOrEmpty),
            K.Integer("grpc_max_send_msg_size", c => c.Api.GrpcMaxSendMsgSize, (c, v) => c.Api.GrpcMaxSendMsgSize = v, "Largest gRPC message sent, in bytes.", "--grpc-max-send-msg-size", Positive),
            K.Integer("grpc_max_recv_msg_size", c => c.Api.GrpcMaxRecvMsgSize, (c, v) => c.Api.GrpcMaxRecvMsgSize = v, "Largest gRPC message accepted, in bytes.", "--grpc-max-recv-msg-size", Positive),
        ]),
        new("crio.runtime", "How containers are run.",
        [
            K.Text("default_runtime", c => c.Runtime.DefaultRuntime, (c, v) => c.Runtime.DefaultRuntime = v, "Runtime handler used when a pod names none; one of [crio.runtime.runtimes.*].", "--default-runtime"),
            K.Text("conmon", c => c.Runtime.Conmon, (c, v) => c.Runtime.Conmon = v, "Container monitor binary (empty: CriO's own, installed beside crio).", "--conmon", AbsolutePathOrEmpty),
            K.Text("conmon_cgroup", c => c.Runtime.ConmonCgroup, (c, v) => c.Runtime.ConmonCgroup = v, "Cgroup of the monitor processes (empty: the handler's monitor_cgroup).", "--conmon-cgroup"),
            K.TextList("conmon_env", c => c.Runtime.ConmonEnv, (c, v) => c.Runtime.ConmonEnv = v, "Environment of the monitor processes.", "--conmon-env"),
            K.TextList("default_env", c => c.Runtime.DefaultEnv, (c, v) => c.Runtime.DefaultEnv = v, "Environment added to every container.", "--default-env"),
            K.Boolean("selinux", c => c.Runtime.Selinux, (c, v) => c.Runtime.Selinux = v, "Label containers with SELinux.", "--selinux"),
            K.Text("seccomp_profile", c => c.Runtime.SeccompProfile, (c, v) => c.Runtime.SeccompProfile = v, "Seccomp profile used for RuntimeDefault (empty: the built-in one).", "--seccomp-profile", AbsolutePathOrEmpty),
            K.Text("apparmor_profile", c => c.Runtime.ApparmorProfile, (c, v) => c.Runtime.ApparmorProfile = v, "AppArmor profile used for RuntimeDefault.", "--apparmor-profile"),
            K.Text("cgroup_manager", c => c.Runtime.CgroupManager, (c, v) => c.Runtime.CgroupManager = v, "Cgroup driver; must match the kubelet's cgroupDriver.", "--cgroup-manager", OneOf(CgroupManagers.Systemd, CgroupManagers.Cgroupfs)),
            K.TextList("default_capabilities", c => c.Runtime.DefaultCapabilities, (c, v) => c.Runtime.DefaultCapabilities = v, "Capabilities every container gets unless it drops them.", "--default-capabilities"),
            K.TextList("default_sysctls", c => c.Runtime.DefaultSysctls, (c, v) => c.Runtime.DefaultSysctls = v, "Sysctls (name=value) set in every pod.", "--default-sysctls"),
            K.TextList("default_ulimits", c => c.Runtime.DefaultUlimits, (c, v) => c.Runtime.DefaultUlimits = v, "Ulimits (name=soft:hard) of every container.", "--default-ulimits"),
            K.TextList("allowed_devices", c => c.Runtime.AllowedDevices, (c, v) => c.Runtime.AllowedDevices = v, "Devices a pod may ask for by annotation.", "--allowed-devices", AbsolutePaths),
            K.TextList("additional_devices", c => c.Runtime.AdditionalDevices, (c, v) => c.Runtime.AdditionalDevices = v, "Devices (host:container:perms) added to every container.", "--additional-devices", DeviceEntries),
            K.Boolean("device_ownership_from_security_context", c => c.Runtime.DeviceOwnershipFromSecurityContext, (c, v) => c.Runtime.DeviceOwnershipFromSecurityContext = v, "Give devices the container's uid/gid instead of the host's.", "--device-ownership-from-security-context"),
            K.TextList("hooks_dir", c => c.Runtime.HooksDir, (c, v) => c.Runtime.HooksDir = v, "Folders of OCI hook definitions.", "--hooks-dir", AbsolutePaths),
            K.Integer("log_size_max", c => c.Runtime.LogSizeMax, (c, v) => c.Runtime.LogSizeMax = v, "Largest container log in bytes (-1: unlimited).", "--log-size-max", LogSizeMax),
            K.Boolean("log_to_journald", c => c.Runtime.LogToJournald, (c, v) => c.Runtime.LogToJournald = v, "Also send container logs to journald.", "--log-journald"),
            K.Text("container_exits_dir", c => c.Runtime.ContainerExitsDir, (c, v) => c.Runtime.ContainerExitsDir = v, "Where monitors write container exit codes.", "--container-exits-dir", AbsolutePath),
            K.Text("container_attach_socket_dir", c => c.Runtime.ContainerAttachSocketDir, (c, v) => c.Runtime.ContainerAttachSocketDir = v, "Where monitors put attach sockets.", "--container-attach-socket-dir", AbsolutePath),
            K.Text("bind_mount_prefix", c => c.Runtime.BindMountPrefix, (c, v) => c.Runtime.BindMountPrefix = v, "Prefix for bind mount sources (for running crio in a container).", "--bind-mount-prefix", AbsolutePathOrEmpty),
            K.Boolean("read_only", c => c.Runtime.ReadOnly, (c, v) => c.Runtime.ReadOnly = v, "Run every container with a read-only root file system.", "--read-only"),
            K.Text("log_level", c => c.Runtime.LogLevel, (c, v) => c.Runtime.LogLevel = v, "Daemon log level; SIGHUP reloads it.", "--log-level", OneOf(LogLevels)),
            K.Text("log_filter", c => c.Runtime.LogFilter, (c, v) => c.Runtime.LogFilter = v, "Only log messages that match this regular expression (empty: all).", "--log-filter", Logging.LogMessageFilter.Check),
            K.Integer("ctr_stop_timeout", c => c.Runtime.CtrStopTimeout, (c, v) => c.Runtime.CtrStopTimeout = v, "Seconds a container may take to stop when the request gives no timeout.", "--ctr-stop-timeout", NonNegative),
            K.Boolean("drop_infra_ctr", c => c.Runtime.DropInfraCtr, (c, v) => c.Runtime.DropInfraCtr = v, "Pin pod namespaces without an infra container where no pod PID namespace needs one.", "--drop-infra-ctr"),
            K.Text("infra_ctr_cpuset", c => c.Runtime.InfraCtrCpuset, (c, v) => c.Runtime.InfraCtrCpuset = v, "CPUs of infra containers.", "--infra-ctr-cpuset"),
            K.Text("namespaces_dir", c => c.Runtime.NamespacesDir, (c, v) => c.Runtime.NamespacesDir = v, "Where pod namespaces are pinned (netns, ipcns, utsns below it).", "--namespaces-dir", AbsolutePath),
            K.Text("pinns_path", c => c.Runtime.PinnsPath, (c, v) => c.Runtime.PinnsPath = v, "Namespace pinning helper (empty: CriO's own).", "--pinns-path", AbsolutePathOrEmpty),
            K.Boolean("enable_criu_support", c => c.Runtime.EnableCriuSupport, (c, v) => c.Runtime.EnableCriuSupport = v, "Allow checkpoint and restore with CRIU.", "--enable-criu-support"),
            K.Text("timezone", c => c.Runtime.Timezone, (c, v) => c.Runtime.Timezone = v, "Time zone of containers (\"Local\" for the host's; empty: the image's).", "--timezone"),
            K.TextList("absent_mount_sources_to_reject", c => c.Runtime.AbsentMountSourcesToReject, (c, v) => c.Runtime.AbsentMountSourcesToReject = v, "Bind mount sources that must exist rather than be created.", "--absent-mount-sources-to-reject", AbsolutePaths),
        ]),
        new("crio.image", "Pulling and keeping images.",
        [
            K.Text("default_transport", c => c.Image.DefaultTransport, (c, v) => c.Image.DefaultTransport = v, "Transport of image names without one.", "--default-transport"),
            K.Text("global_auth_file", c => c.Image.GlobalAuthFile, (c, v) => c.Image.GlobalAuthFile = v, "containers-auth.json with registry credentials.", "--global-auth-file", AbsolutePathOrEmpty),
            K.Text("pause_image", c => c.Image.PauseImage, (c, v) => c.Image.PauseImage = v, "Image of infra containers.", "--pause-image"),
            K.Text("pause_image_auth_file", c => c.Image.PauseImageAuthFile, (c, v) => c.Image.PauseImageAuthFile = v, "Credentials for the pause image.", "--pause-image-auth-file", AbsolutePathOrEmpty),
            K.Text("pause_command", c => c.Image.PauseCommand, (c, v) => c.Image.PauseCommand = v, "Command of infra containers.", "--pause-command"),
            K.TextList("pinned_images", c => c.Image.PinnedImages, (c, v) => c.Image.PinnedImages = v, "Images the kubelet's garbage collection must keep.", "--pinned-images"),
            K.Text("signature_policy", c => c.Image.SignaturePolicy, (c, v) => c.Image.SignaturePolicy = v, "Pull policy file (empty: /etc/containers/policy.json).", "--signature-policy", AbsolutePathOrEmpty),
            K.Text("signature_policy_dir", c => c.Image.SignaturePolicyDir, (c, v) => c.Image.SignaturePolicyDir = v, "Folder of per-namespace pull policies.", "--signature-policy-dir", AbsolutePath),
            K.TextList("insecure_registries", c => c.Image.InsecureRegistries, (c, v) => c.Image.InsecureRegistries = v, "Registries reached without TLS verification (prefer registries.conf).", "--insecure-registry"),
            K.TextList("registries", c => c.Image.Registries, (c, v) => c.Image.Registries = v, "Registries searched for short names (prefer registries.conf).", "--registry"),
            K.Text("image_volumes", c => c.Image.ImageVolumes, (c, v) => c.Image.ImageVolumes = v, "What to do with an image's VOLUMEs.", "--image-volumes", OneOf("mkdir", "bind", "ignore")),
            K.Text("big_files_temporary_dir", c => c.Image.BigFilesTemporaryDir, (c, v) => c.Image.BigFilesTemporaryDir = v, "Temporary folder for downloads (empty: the store's).", "--big-files-temporary-dir", AbsolutePathOrEmpty),
            K.Text("image_pull_progress_timeout", c => c.Image.ImagePullProgressTimeout, (c, v) => c.Image.ImagePullProgressTimeout = v, "Fail a pull that makes no progress for this long (\"0s\": never).", "--image-pull-progress-timeout", Duration),
            K.Text("short_name_mode", c => c.Image.ShortNameMode, (c, v) => c.Image.ShortNameMode = v, "How short names are resolved.", "--short-name-mode", OneOf("enforcing", "disabled")),
        ]),
        new("crio.network", "Pod networking through CNI.",
        [
            K.Text("cni_default_network", c => c.Network.CniDefaultNetwork, (c, v) => c.Network.CniDefaultNetwork = v, "Network to use (empty: the first configuration by file name).", "--cni-default-network"),
            K.Text("network_dir", c => c.Network.NetworkDir, (c, v) => c.Network.NetworkDir = v, "Folder of CNI configurations.", "--cni-config-dir", AbsolutePath),
            K.TextList("plugin_dirs", c => c.Network.PluginDirs, (c, v) => c.Network.PluginDirs = v, "Folders of CNI plugin binaries.", "--cni-plugin-dir", AbsolutePaths),
            K.Text("cni_plugin_timeout", c => c.Network.CniPluginTimeout, (c, v) => c.Network.CniPluginTimeout = v, "Kill a CNI plugin that runs longer than this (CriO's own key).", "--cni-plugin-timeout", Duration),
        ]),
        new("crio.metrics", "Prometheus metrics.",
        [
            K.Boolean("enable_metrics", c => c.Metrics.EnableMetrics, (c, v) => c.Metrics.EnableMetrics = v, "Serve metrics.", "--enable-metrics"),
            K.Text("metrics_host", c => c.Metrics.MetricsHost, (c, v) => c.Metrics.MetricsHost = v, "Address of the metrics endpoint.", "--metrics-host"),
            K.Integer("metrics_port", c => c.Metrics.MetricsPort, (c, v) => c.Metrics.MetricsPort = v, "Port of the metrics endpoint.", "--metrics-port", Port),
            K.Text("metrics_socket", c => c.Metrics.MetricsSocket, (c, v) => c.Metrics.MetricsSocket = v, "Unix socket of the metrics endpoint (empty: none).", "--metrics-socket", AbsolutePathOrEmpty),
            K.Text("metrics_cert", c => c.Metrics.MetricsCert, (c, v) => c.Metrics.MetricsCert = v, "Certificate of the metrics endpoint.", "--metrics-cert", AbsolutePathOrEmpty),
            K.Text("metrics_key", c => c.Metrics.MetricsKey, (c, v) => c.Metrics.MetricsKey = v, "Key of the metrics endpoint.", "--metrics-key", AbsolutePathOrEmpty),
        ]),
        new("crio.tracing", "OpenTelemetry traces.",
        [
            K.Boolean("enable_tracing", c => c.Tracing.EnableTracing, (c, v) => c.Tracing.EnableTracing = v, "Export traces over OTLP.", "--enable-tracing"),
            K.Text("tracing_endpoint", c => c.Tracing.TracingEndpoint, (c, v) => c.Tracing.TracingEndpoint = v, "OTLP gRPC endpoint (host:port).", "--tracing-endpoint"),
            K.Integer("tracing_sampling_rate_per_million", c => c.Tracing.TracingSamplingRatePerMillion, (c, v) => c.Tracing.TracingSamplingRatePerMillion = v, "Spans sampled per million.", "--tracing-sampling-rate-per-million", SamplingRate),
        ]),
        new("crio.stats", "Container and pod statistics.",
        [
            K.Integer("stats_collection_period", c => c.Stats.StatsCollectionPeriod, (c, v) => c.Stats.StatsCollectionPeriod = v, "Seconds between stats collections (0: on demand).", "--stats-collection-period", NonNegative),
            K.Integer("collection_period", c => c.Stats.CollectionPeriod, (c, v) => c.Stats.CollectionPeriod = v, "Seconds between pod and container stats collections (0: on demand).", "--collection-period", NonNegative),
            K.TextList("included_pod_metrics", c => c.Stats.IncludedPodMetrics, (c, v) => c.Stats.IncludedPodMetrics = v, "Pod metrics to collect.", "--included-pod-metrics"),
        ]),
    ];

    /// <summary>The keys of one [crio.runtime.runtimes.NAME] table.</summary>
    public static IReadOnlyList<ConfigKey<RuntimeHandlerSettings>> RuntimeHandlerKeys { get; } =
    [
        H.Text("runtime_path", r => r.RuntimePath, (r, v) => r.RuntimePath = v, "OCI runtime binary (empty: the handler's name on PATH).", check: AbsolutePathOrEmpty),
        H.Text("runtime_type", r => r.RuntimeType, (r, v) => r.RuntimeType = v, "Kind of runtime.", check: OneOf("oci")),
        H.Text("runtime_root", r => r.RuntimeRoot, (r, v) => r.RuntimeRoot = v, "The runtime's --root state folder.", check: AbsolutePathOrEmpty),
        H.Text("runtime_config_path", r => r.RuntimeConfigPath, (r, v) => r.RuntimeConfigPath = v, "Configuration file of the runtime.", check: AbsolutePathOrEmpty),
        H.Text("monitor_path", r => r.MonitorPath, (r, v) => r.MonitorPath = v, "Monitor binary for this handler (empty: [crio.runtime] conmon).", check: AbsolutePathOrEmpty),
        H.Text("monitor_cgroup", r => r.MonitorCgroup, (r, v) => r.MonitorCgroup = v, "Cgroup of the monitor (\"pod\": the pod's)."),
        H.Text("monitor_exec_cgroup", r => r.MonitorExecCgroup, (r, v) => r.MonitorExecCgroup = v, "Cgroup of exec monitors."),
        H.TextList("monitor_env", r => r.MonitorEnv, (r, v) => r.MonitorEnv = v, "Environment of the monitor."),
        H.TextList("allowed_annotations", r => r.AllowedAnnotations, (r, v) => r.AllowedAnnotations = v, "Experimental annotations pods of this handler may use."),
        H.Boolean("privileged_without_host_devices", r => r.PrivilegedWithoutHostDevices, (r, v) => r.PrivilegedWithoutHostDevices = v, "Privileged containers do not get the host's devices."),
        H.Text("container_min_memory", r => r.ContainerMinMemory, (r, v) => r.ContainerMinMemory = v, "Smallest memory limit a container may have (e.g. \"12MiB\")."),
        H.Boolean("no_sync_log", r => r.NoSyncLog, (r, v) => r.NoSyncLog = v, "Do not fsync container logs on exit."),
        H.Boolean("stream_websockets", r => r.StreamWebsockets, (r, v) => r.StreamWebsockets = v, "Stream through the monitor's WebSocket server."),
    ];
}
