namespace CriO.Registry.Fixture;

/// <summary>
/// An account of the token server: pull on every repository, and push (with delete) unless
/// <paramref name="CanPush"/> is false.
/// </summary>
public sealed record TokenUser(string Name, string Password, bool CanPush = true);
