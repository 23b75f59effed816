using System.Text;

namespace CriO.Server.Play;

/// <summary>
/// The text of a CRI log file: each record is "TIMESTAMP STREAM P|F TEXT"; the prefix is
/// dropped, and partial (P) records are joined with the record that completes them.
/// </summary>
public static class CriLogText
{
    public static string Read(string path) => File.Exists(path) ? Strip(File.ReadAllLines(path)) : "";

    public static string Strip(IEnumerable<string> records)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            var parts = record.Split(' ', 4);
            if (parts.Length < 3)
            {
                continue;
            }

            text.Append(parts.Length == 4 ? parts[3] : "");
            if (parts[2] != "P")
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }
}
