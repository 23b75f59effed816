using System.Text.Json;
using CriO.Tests.Shared;

namespace CriO.Registry.Fixture.Tests;

/// <summary>Debian's skopeo as the independent client the fixture is checked with.</summary>
internal static class Skopeo
{
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(params IEnumerable<string> arguments) =>
        ChildProcess.RunAsync("skopeo", ["--insecure-policy", .. arguments], timeout: TimeSpan.FromSeconds(60));

    /// <summary><c>skopeo inspect --raw</c>: the manifest bytes as the registry serves them; fails the test on error.</summary>
    public static async Task<string> InspectRawAsync(IEnumerable<string> options, string reference)
    {
        var (exitCode, output, errors) = await RunAsync(["inspect", "--raw", .. options, reference]);
        Assert.True(exitCode == 0, $"skopeo inspect --raw {reference} failed: {errors}");
        return output;
    }

    /// <summary><c>skopeo inspect --config</c>: the image config, parsed.</summary>
    public static async Task<JsonDocument> InspectConfigAsync(IEnumerable<string> options, string reference)
    {
        var (exitCode, output, errors) = await RunAsync(["inspect", "--config", .. options, reference]);
        Assert.True(exitCode == 0, $"skopeo inspect --config {reference} failed: {errors}");
        return JsonDocument.Parse(output);
    }

    public static string Digest(string content) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
}
