namespace CriO.Registry.Fixture;

/// <summary>Removal of the fixtures' temporary folders.</summary>
internal static class TempDirectory
{
    /// <summary>Removes <paramref name="path"/> and everything under it; a folder already gone is fine.</summary>
    public static void Delete(string path)
    {
        // Bounded retry: a child process that was just killed may still be closing files in it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(100);
            }
        }
    }
}
