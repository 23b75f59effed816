using CriO.Server.Play;

namespace CriO.Server.Tests.Play;

/// <summary>imagePullPolicy's default and what each policy does.</summary>
public sealed class ImagePullPolicyTests
{
    [Theory]
    [InlineData("busybox", "Always")]
    [InlineData("busybox:latest", "Always")]
    [InlineData("docker.io/library/busybox:1.36", "IfNotPresent")]
    [InlineData("localhost:5000/busybox", "Always")]
    [InlineData("localhost:5000/busybox:1", "IfNotPresent")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    public void The_default_is_Always_for_latest_or_no_tag_and_IfNotPresent_otherwise(string image, string expected) =>
        Assert.Equal(expected, ImagePullPolicy.Effective(null, image));

    [Fact]
    public void A_policy_in_the_manifest_wins_over_the_default() =>
        Assert.Equal("Never", ImagePullPolicy.Effective("Never", "busybox"));

    [Theory]
    [InlineData("Always", true, true)]
    [InlineData("Always", false, true)]
    [InlineData("IfNotPresent", true, false)]
    [InlineData("IfNotPresent", false, true)]
    [InlineData("Never", true, false)]
    [InlineData("Never", false, null)]
    public void Each_policy_pulls_when_it_says(string policy, bool present, bool? pull) =>
        Assert.Equal(pull, ImagePullPolicy.ShouldPull(policy, present));
}
