using CriO.Server.Play;

namespace CriO.Server.Tests.Play;

/// <summary>Environment values from the manifest and from the pod's own fields.</summary>
public sealed class PodEnvironmentTests
{
    [Fact]
    public void FieldRef_values_come_from_the_pod_and_later_values_may_refer_to_earlier_ones()
    {
        var manifest = PodManifest.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: api, namespace: shop, uid: u-1, labels: { tier: back } }
            spec:
              containers:
                - name: main
                  image: busybox
                  env:
                    - { name: NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
                    - { name: NS, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
                    - { name: UID, valueFrom: { fieldRef: { fieldPath: metadata.uid } } }
                    - { name: IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
                    - { name: TIER, valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } }
                    - { name: URL, value: "http://$(IP):80/$(NAME)/$(UNKNOWN)/$$(NAME)" }
            """);

        var environment = new PodEnvironment(manifest, "10.1.2.3", "node-1").For(manifest.Pod.Spec.Containers[0]);

        Assert.Equal(
            [("NAME", "api"), ("NS", "shop"), ("UID", "u-1"), ("IP", "10.1.2.3"), ("TIER", "back"), ("URL", "http://10.1.2.3:80/api/$(UNKNOWN)/$(NAME)")],
            environment.Select(e => (e.Key, e.Value)));
    }

    [Fact]
    public void An_unsupported_fieldRef_is_refused_before_anything_runs()
    {
        var error = Assert.Throws<ManifestException>(() => PodManifest.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: api }
            spec:
              containers:
                - name: main
                  image: busybox
                  env: [{ name: X, valueFrom: { fieldRef: { fieldPath: spec.nodeSelector } } }]
            """));

        Assert.Contains("fieldRef spec.nodeSelector is not supported", error.Message, StringComparison.Ordinal);
    }
}
