using CriO.Storage.Metadata;

namespace CriO.Storage.Tests.Metadata;

/// <summary>Names as podman left them in overlay-images/ID/ (see PodmanFixtures).</summary>
public sealed class BigDataFileNameTests
{
    [Theory]
    [InlineData("manifest", "manifest")]
    [InlineData("signatures", "signatures")]
    [InlineData("a.b.0", "a.b.0")]
    [InlineData(
        "manifest-sha256:afdc8f091e4e5510a816518d54d05af1711672ca7202cfd5bc1c4164f98d2fe3",
        "=bWFuaWZlc3Qtc2hhMjU2OmFmZGM4ZjA5MWU0ZTU1MTBhODE2NTE4ZDU0ZDA1YWYxNzExNjcyY2E3MjAyY2ZkNWJjMWM0MTY0Zjk4ZDJmZTM=")]
    [InlineData(
        "sha256:8c83a399a10161ca1e966bf5155adc383505341063a4e8ebf5cb9d7c0548bf7e",
        "=c2hhMjU2OjhjODNhMzk5YTEwMTYxY2ExZTk2NmJmNTE1NWFkYzM4MzUwNTM0MTA2M2E0ZThlYmY1Y2I5ZDdjMDU0OGJmN2U=")]
    [InlineData("Manifest", "=TWFuaWZlc3Q=")]
    public void For_MatchesContainersStorage(string key, string expected) => Assert.Equal(expected, BigDataFileName.For(key));
}
