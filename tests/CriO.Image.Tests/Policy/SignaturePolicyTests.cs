using CriO.Image.Policy;
using CriO.Image.Reference;

namespace CriO.Image.Tests.Policy;

public class SignaturePolicyTests
{
    private const string Source = "/etc/containers/policy.json";
    private static readonly string Digest = "sha256:" + new string('e', 64);

    private const string Accept = """[{"type": "insecureAcceptAnything"}]""";
    private const string Reject = """[{"type": "reject"}]""";

    /// <summary>Each scope accepts, so the decision names the most specific scope that exists.</summary>
    private static readonly SignaturePolicy Layered = SignaturePolicy.Parse($$$"""
        {
            "default": {{{Reject}}},
            "transports": {
                "docker": {
                    "": {{{Accept}}},
                    "docker.io/library/busybox:1.36": {{{Accept}}},
                    "docker.io/library/busybox@{{{Digest}}}": {{{Accept}}},
                    "docker.io/library/busybox": {{{Accept}}},
                    "docker.io/library": {{{Accept}}},
                    "docker.io": {{{Accept}}},
                    "registry.example.com:5000/team": {{{Accept}}},
                    "registry.example.com:5000": {{{Accept}}},
                    "*.example.com": {{{Accept}}},
                    "*.com": {{{Accept}}}
                },
                "dir": {
                    "": {{{Reject}}}
                }
            }
        }
        """, Source);

    [Theory]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("busybox:1.35", "docker.io/library/busybox")]
    [InlineData("busybox", "docker.io/library/busybox")]
    [InlineData("alpine", "docker.io/library")]
    [InlineData("user/app", "docker.io")]
    [InlineData("registry.example.com:5000/team/app:1", "registry.example.com:5000/team")]
    [InlineData("registry.example.com:5000/other/app:1", "registry.example.com:5000")]
    [InlineData("registry.example.com/other/app:1", "*.example.com")]
    [InlineData("a.b.example.com:6000/x", "*.example.com")]
    [InlineData("quay.io/x", "")]
    [InlineData("ghcr.com/x", "*.com")]
    [InlineData("localhost:5000/x", "")]
    public void The_most_specific_existing_scope_decides(string reference, string scope)
    {
        var decision = Layered.Evaluate(ImageReference.Parse(reference));

        Assert.Equal($"transports.docker[\"{scope}\"]", decision.Scope);
        Assert.Equal(Source, decision.Source);
    }

    [Fact]
    public void A_digest_reference_is_looked_up_by_digest_not_by_tag()
    {
        Assert.Equal($"transports.docker[\"docker.io/library/busybox@{Digest}\"]", Layered.Evaluate(ImageReference.Parse($"busybox:1.36@{Digest}")).Scope);
        Assert.Equal($"transports.docker[\"docker.io/library/busybox@{Digest}\"]", Layered.Evaluate(ImageReference.Parse($"busybox@{Digest}")).Scope);
    }

    [Fact]
    public void Without_docker_scopes_the_global_default_decides()
    {
        var policy = SignaturePolicy.Parse($$$"""{"default": {{{Accept}}}, "transports": {"dir": {"": {{{Reject}}} } } }""", Source);

        Assert.Equal("default", policy.Evaluate(ImageReference.Parse("busybox")).Scope);
    }

    [Fact]
    public void A_specific_reject_overrides_a_wider_accept_and_names_the_scope()
    {
        var policy = SignaturePolicy.Parse($$$"""
            {
                "default": {{{Accept}}},
                "transports": {"docker": {"docker.io/library/busybox": {{{Reject}}}}}
            }
            """, Source);

        var e = Assert.Throws<PolicyRejectedException>(() => policy.Evaluate(ImageReference.Parse("busybox:1")));

        Assert.Equal("transports.docker[\"docker.io/library/busybox\"]", e.Scope);
        Assert.Equal(Source, e.PolicySource);
        Assert.False(e.IsUnsupportedVerification);
        Assert.Equal(
            $"pulling docker.io/library/busybox:1 is rejected by the signature policy: transports.docker[\"docker.io/library/busybox\"] in {Source} requires \"reject\"",
            e.Message);
        Assert.Equal("default", policy.Evaluate(ImageReference.Parse("alpine")).Scope);
    }

    [Fact]
    public void A_reject_default_refuses_what_no_scope_allows()
    {
        var policy = SignaturePolicy.Parse($$$"""
            {
                "default": {{{Reject}}},
                "transports": {"docker": {"*.trusted.example": {{{Accept}}}}}
            }
            """, Source);

        Assert.Equal("default", Assert.Throws<PolicyRejectedException>(() => policy.Evaluate(ImageReference.Parse("quay.io/x"))).Scope);
        policy.Evaluate(ImageReference.Parse("r.trusted.example/x"));
    }

    [Fact]
    public void Every_requirement_of_the_scope_must_hold()
    {
        var policy = SignaturePolicy.Parse("""{"default": [{"type": "insecureAcceptAnything"}, {"type": "reject"}]}""", Source);

        Assert.Throws<PolicyRejectedException>(() => policy.Evaluate(ImageReference.Parse("busybox")));
    }

    [Theory]
    [InlineData("""{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/etc/pki/key.gpg"}""", "signedBy")]
    [InlineData("""{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["/a", "/b"], "signedIdentity": {"type": "matchRepository"}}""", "signedBy")]
    [InlineData("""{"type": "sigstoreSigned", "keyPath": "/etc/pki/cosign.pub"}""", "sigstoreSigned")]
    [InlineData("""{"type": "signedBaseLayer", "baseLayerIdentity": {"type": "exactRepository", "dockerRepository": "x"}}""", "signedBaseLayer")]
    public void Signature_requirements_load_but_refuse_every_image_they_govern(string requirement, string type)
    {
        var policy = SignaturePolicy.Parse($$$"""
            {
                "default": {{{Accept}}},
                "transports": {"docker": {"quay.io/signed": [{{{requirement}}}]}}
            }
            """, Source);

        var e = Assert.Throws<PolicyRejectedException>(() => policy.Evaluate(ImageReference.Parse("quay.io/signed/app:1")));

        Assert.True(e.IsUnsupportedVerification);
        Assert.Contains($"requires \"{type}\": signature verification is not supported", e.Message, StringComparison.Ordinal);
        Assert.Contains("transports.docker[\"quay.io/signed\"]", e.Message, StringComparison.Ordinal);
        Assert.Equal("default", policy.Evaluate(ImageReference.Parse("quay.io/unsigned/app:1")).Scope);
    }

    [Fact]
    public void Default_accepts_anything_and_says_so()
    {
        var decision = SignaturePolicy.Default.Evaluate(ImageReference.Parse("quay.io/anything:1"));

        Assert.Equal("default", decision.Scope);
        Assert.Contains("insecureAcceptAnything", decision.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_transports_are_accepted_with_a_warning()
    {
        var policy = SignaturePolicy.Parse($$$"""{"default": {{{Accept}}}, "transports": {"future": {"x": {{{Reject}}} } } }""", Source);

        Assert.Equal([$"{Source}: transports.future: unknown transport, its scopes are never used"], policy.Warnings);
    }

    public static TheoryData<string, string, string> InvalidPolicies => new()
    {
        // document, location named, fragment of the reason
        { "", "", "not valid JSON" },
        { "{\"default\": [{\"type\": \"reject\"}],}", "", "not valid JSON" },
        { "// comment\n{\"default\": [{\"type\": \"reject\"}]}", "", "not valid JSON" },
        { "[]", "", "top level must be an object" },
        { "{}", "default", "is missing" },
        { "{\"transports\": {}}", "default", "is missing" },
        { "{\"default\": []}", "default", "must not be empty" },
        { "{\"default\": {\"type\": \"reject\"}}", "default", "array of requirements" },
        { "{\"default\": [\"reject\"]}", "default[0]", "object with a \"type\"" },
        { "{\"default\": [{}]}", "default[0]", "no \"type\"" },
        { "{\"default\": [{\"type\": 1}]}", "default[0].type", "must be a string" },
        { "{\"default\": [{\"type\": \"acceptAll\"}]}", "default[0].type", "unknown requirement type \"acceptAll\"" },
        { "{\"default\": [{\"type\": \"reject\", \"why\": \"x\"}]}", "default[0].why", "no field but \"type\"" },
        { "{\"default\": [{\"type\": \"reject\", \"type\": \"reject\"}]}", "default[0].type", "appears twice" },
        { "{\"default\": [{\"type\": \"reject\"}], \"default\": [{\"type\": \"reject\"}]}", "default", "appears twice" },
        { "{\"default\": [{\"type\": \"reject\"}], \"extra\": 1}", "extra", "unknown key" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": []}", "transports", "object of transport names" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": []}}", "transports.docker", "object of scopes" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"a.io\": []}}}", "transports.docker[\"a.io\"]", "must not be empty" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"a.io\": [{\"type\": \"reject\"}], \"a.io\": [{\"type\": \"reject\"}]}}}", "transports.docker.a.io", "appears twice" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"example*.com\": [{\"type\": \"reject\"}]}}}", "transports.docker[\"example*.com\"]", "wildcard scope" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"*.example.com/ns\": [{\"type\": \"reject\"}]}}}", "transports.docker[\"*.example.com/ns\"]", "wildcard scope" },
        { "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"*.\": [{\"type\": \"reject\"}]}}}", "transports.docker[\"*.\"]", "wildcard scope" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void The_format_is_strict_and_errors_name_the_file_and_location(string json, string location, string reason)
    {
        var e = Assert.Throws<SignaturePolicyException>(() => SignaturePolicy.Parse(json, Source));

        Assert.Equal(Source, e.Source);
        Assert.Equal(location, e.Location);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_refused_by_Load_and_left_to_the_caller_by_TryLoad()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("policy.json");

        var e = Assert.Throws<SignaturePolicyException>(() => SignaturePolicy.Load(path));
        Assert.Equal(path, e.Source);
        Assert.Contains("does not exist", e.Reason, StringComparison.Ordinal);
        Assert.Null(SignaturePolicy.TryLoad(path));
        Assert.Null(SignaturePolicy.TryLoad(directory.Combine("no/such/dir/policy.json")));
    }

    [Fact]
    public void Load_reads_the_file_and_names_it_in_decisions_and_errors()
    {
        using var directory = new TempDirectory();
        var path = directory.Write("policy.json", """{"default": [{"type": "insecureAcceptAnything"}]}""");
        var broken = directory.Write("broken.json", """{"default": []}""");

        Assert.Equal(path, SignaturePolicy.Load(path).Evaluate(ImageReference.Parse("busybox")).Source);
        Assert.Equal(broken, Assert.Throws<SignaturePolicyException>(() => SignaturePolicy.Load(broken)).Source);
        Assert.Equal(broken, Assert.Throws<SignaturePolicyException>(() => SignaturePolicy.TryLoad(broken)).Source);
    }
}
