namespace CriO.Cni.Tests.Fakes;

/// <summary>Network configurations for the fake plugins.</summary>
internal static class Networks
{
    /// <summary>A list of the given plugin types, no capabilities.</summary>
    public static string List(string name, string cniVersion, params string[] types) =>
        $$"""{"cniVersion":"{{cniVersion}}","name":"{{name}}","plugins":[{{string.Join(",", types.Select(t => $$"""{"type":"{{t}}"}"""))}}]}""";
}
