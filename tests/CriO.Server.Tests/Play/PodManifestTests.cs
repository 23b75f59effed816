using CriO.Cri;
using CriO.Server.Play;

namespace CriO.Server.Tests.Play;

/// <summary>Reading a Pod manifest and turning it into CRI configs, as crio play does before it calls the daemon.</summary>
public sealed class PodManifestTests
{
    private const string Minimal = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: main
              image: busybox
        """;

    private static PlaySettings Settings => new() { Socket = "/run/crio.sock", CgroupParent = "/crio-play/podx", LogRoot = "/var/log/pods", StateRoot = "/tmp/play" };

    [Fact]
    public void A_minimal_pod_gets_the_API_defaults_and_a_generated_uid()
    {
        var manifest = PodManifest.Parse(Minimal);

        Assert.Equal("default", manifest.Namespace);
        Assert.Equal("Always", manifest.RestartPolicy);
        Assert.True(manifest.UidGenerated);
        Assert.True(Guid.TryParse(manifest.Uid, out _));
    }

    [Theory]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n", "crio play runs apiVersion v1 kind Pod")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: []\n", "spec.containers must name at least one container")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n", "spec.containers[0].image is required")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n  volumes:\n    - name: v\n      configMap:\n        name: c\n", "volume type configMap is not supported")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n      volumeMounts:\n        - name: missing\n          mountPath: /m\n", "no volume named \"missing\"")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n      env:\n        - name: S\n          valueFrom:\n            secretKeyRef:\n              name: s\n              key: k\n", "valueFrom supports fieldRef only")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n      imagePullPolicy: Sometimes\n", "imagePullPolicy: \"Sometimes\" is not one of")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n  volumes:\n    - name: v\n      hostPath:\n        path: /x\n        type: Folder\n", "hostPath.type: \"Folder\" is not one of")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n  volumes:\n    - name: v\n      emptyDir:\n        medium: Memory\n", "emptyDir.medium: \"Memory\" is not supported")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n      resources:\n        limits:\n          cpu: lots\n", "malformed quantity: The string 'lots'")]
    [InlineData("kind: Pod\napiVersion: v1\nmetadata: [1, 2]\n", "does not match the v1 Pod schema")]
    public void A_manifest_crio_play_cannot_run_is_refused_with_the_field_and_why(string yaml, string expected)
    {
        var error = Assert.Throws<ManifestException>(() => PodManifest.Parse(yaml));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sandbox_config_carries_the_kubelets_labels_log_folder_ports_and_pod_security()
    {
        var manifest = PodManifest.Parse("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: shop
              uid: 0b7c1b2e-0000-4000-8000-000000000001
              labels: { app: web }
              annotations: { note: kept }
            spec:
              hostNetwork: false
              hostPID: true
              dnsPolicy: None
              dnsConfig: { nameservers: [10.0.0.10], searches: [shop.svc], options: [{ name: ndots, value: "2" }] }
              securityContext:
                runAsUser: 1000
                supplementalGroups: [3000]
                fsGroup: 2000
                sysctls: [{ name: net.ipv4.ip_unprivileged_port_start, value: "0" }]
                seccompProfile: { type: RuntimeDefault }
              containers:
                - name: main
                  image: busybox:1
                  ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: UDP }]
            """);

        var config = PodSandboxConfigBuilder.Build(manifest, Settings);

        Assert.Equal(("web", "shop", "0b7c1b2e-0000-4000-8000-000000000001", 0u), (config.Metadata.Name, config.Metadata.Namespace, config.Metadata.Uid, config.Metadata.Attempt));
        Assert.Equal("web", config.Labels[KubernetesLabels.PodName]);
        Assert.Equal("shop", config.Labels[KubernetesLabels.PodNamespace]);
        Assert.Equal("web", config.Labels["app"]);
        Assert.Equal("kept", config.Annotations["note"]);
        Assert.Equal("/var/log/pods/shop_web_0b7c1b2e-0000-4000-8000-000000000001", config.LogDirectory);
        Assert.Equal("web", config.Hostname);
        Assert.Equal(["10.0.0.10"], config.DnsConfig.Servers);
        Assert.Equal(["ndots:2"], config.DnsConfig.Options);
        var port = Assert.Single(config.PortMappings);
        Assert.Equal((Protocol.Tcp, 80, 8080), (port.Protocol, port.ContainerPort, port.HostPort));
        var security = config.Linux.SecurityContext;
        Assert.Equal(NamespaceMode.Node, security.NamespaceOptions.Pid);
        Assert.Equal(NamespaceMode.Pod, security.NamespaceOptions.Network);
        Assert.Equal(1000, security.RunAsUser.Value);
        Assert.Equal([3000L, 2000L], security.SupplementalGroups);
        Assert.Equal(SecurityProfile.Types.ProfileType.RuntimeDefault, security.Seccomp.ProfileType);
        Assert.Equal("0", config.Linux.Sysctls["net.ipv4.ip_unprivileged_port_start"]);
        Assert.Equal("/crio-play/podx", config.Linux.CgroupParent);
    }

    [Fact]
    public void The_container_config_has_the_containers_command_env_mounts_and_security_with_the_containers_fields_winning()
    {
        var manifest = PodManifest.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: web }
            spec:
              securityContext: { runAsUser: 1000, runAsGroup: 1000 }
              containers:
                - name: main
                  image: busybox:1
                  command: [sh, -c]
                  args: ["echo $(WHO)"]
                  workingDir: /srv
                  env: [{ name: WHO, value: world }]
                  securityContext:
                    runAsUser: 2000
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                    capabilities: { add: [NET_BIND_SERVICE], drop: [ALL] }
            """);
        var container = manifest.Pod.Spec.Containers[0];

        var config = ContainerConfigBuilder.Build(manifest, container, new CriO.Cri.Image { Id = "abc", Username = "app" }, new PodEnvironment(manifest, "10.0.0.5", "node"), PodVolumes.Prepare(manifest, "/nonexistent"), 8L << 30);

        Assert.Equal("abc", config.Image.Image);
        Assert.Equal(["sh", "-c"], config.Command);
        Assert.Equal(["echo world"], config.Args);
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal("main/0.log", config.LogPath);
        Assert.Equal("main", config.Labels[KubernetesLabels.ContainerName]);
        var security = config.Linux.SecurityContext;
        Assert.Equal(2000, security.RunAsUser.Value);
        Assert.Equal(1000, security.RunAsGroup.Value);
        Assert.True(security.NoNewPrivs);
        Assert.True(security.ReadonlyRootfs);
        Assert.Equal(["NET_BIND_SERVICE"], security.Capabilities.AddCapabilities);
        Assert.Equal(["ALL"], security.Capabilities.DropCapabilities);
        Assert.Equal(SecurityProfile.Types.ProfileType.Unconfined, security.Seccomp.ProfileType);
        Assert.Equal(PodQos.BestEffortOomScoreAdj, config.Linux.Resources.OomScoreAdj);
    }

    /// <summary>
    /// As the kubelet does: with no runAsUser, the user comes from the image (its uid, its user
    /// name, else root), so a runAsGroup never reaches CreateContainer without a user, which is refused.
    /// </summary>
    [Fact]
    public void A_container_that_names_no_user_gets_the_images_and_keeps_its_run_as_group()
    {
        var manifest = PodManifest.Parse(Minimal.Replace("spec:", "spec:\n  securityContext: { runAsGroup: 3000 }", StringComparison.Ordinal));
        var container = manifest.Pod.Spec.Containers[0];
        LinuxContainerSecurityContext Security(CriO.Cri.Image image) =>
            ContainerConfigBuilder.Build(manifest, container, image, new PodEnvironment(manifest, "10.0.0.5", "node"), PodVolumes.Prepare(manifest, "/nonexistent"), 8L << 30).Linux.SecurityContext;

        var byUid = Security(new CriO.Cri.Image { Id = "a", Uid = new Int64Value { Value = 1000 } });
        var byName = Security(new CriO.Cri.Image { Id = "b", Username = "app" });
        var none = Security(new CriO.Cri.Image { Id = "c" });

        Assert.Equal((1000L, "", 3000L), (byUid.RunAsUser.Value, byUid.RunAsUsername, byUid.RunAsGroup.Value));
        Assert.Equal(((Int64Value?)null, "app", 3000L), (byName.RunAsUser, byName.RunAsUsername, byName.RunAsGroup.Value));
        Assert.Equal((0L, "", 3000L), (none.RunAsUser.Value, none.RunAsUsername, none.RunAsGroup.Value));
    }

    [Fact]
    public void A_host_network_pod_shares_the_nodes_namespaces_and_name_and_an_ignored_field_is_a_warning()
    {
        var manifest = PodManifest.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: node-agent }
            spec:
              hostNetwork: true
              hostIPC: true
              containers: [{ name: main, image: busybox, livenessProbe: { exec: { command: ["true"] } } }]
              volumes: [{ name: scratch, emptyDir: { sizeLimit: 1Gi } }]
            """);

        var config = PodSandboxConfigBuilder.Build(manifest, Settings);

        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Network);
        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Ipc);
        Assert.Equal(NamespaceMode.Container, config.Linux.SecurityContext.NamespaceOptions.Pid);
        Assert.Equal(Environment.MachineName, config.Hostname);
        Assert.Equal(2, manifest.Warnings.Count);
    }

    [Fact]
    public void RunAsNonRoot_refuses_a_container_that_would_run_as_root_and_one_whose_user_cannot_be_verified()
    {
        var manifest = PodManifest.Parse(Minimal.Replace("      image: busybox", "      image: busybox\n      securityContext: { runAsNonRoot: true }", StringComparison.Ordinal));
        var container = manifest.Pod.Spec.Containers[0];

        Assert.Contains("uid 0", Assert.Throws<ManifestException>(() => SecurityContexts.VerifyNonRoot(manifest.Pod.Spec, container, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("non-numeric", Assert.Throws<ManifestException>(() => SecurityContexts.VerifyNonRoot(manifest.Pod.Spec, container, null)).Message, StringComparison.Ordinal);
        SecurityContexts.VerifyNonRoot(manifest.Pod.Spec, container, 1000);
    }
}
