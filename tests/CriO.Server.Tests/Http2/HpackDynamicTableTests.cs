using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

public class HpackDynamicTableTests
{
    [Fact]
    public void Size_counts_name_value_and_32_per_entry()
    {
        var table = new HpackDynamicTable(4096);
        table.Add(HpackHeaderField.FromAscii("custom-key", "custom-header"));
        table.Add(HpackHeaderField.FromAscii("a", string.Empty));

        Assert.Equal(2, table.Count);
        Assert.Equal(55 + 33, table.Size);
        Assert.Equal("a", System.Text.Encoding.ASCII.GetString(table[0].Name));
    }

    [Fact]
    public void Adding_evicts_the_oldest_entries_first()
    {
        var table = new HpackDynamicTable(100); // room for two 34-byte entries, not three
        table.Add(HpackHeaderField.FromAscii("a", "1"));
        table.Add(HpackHeaderField.FromAscii("b", "2"));
        table.Add(HpackHeaderField.FromAscii("c", "3"));

        Assert.Equal(["c: 3", "b: 2"], Entries(table));
        Assert.Equal(68, table.Size);
    }

    [Fact]
    public void Lowering_the_maximum_evicts_and_zero_empties()
    {
        var table = new HpackDynamicTable(4096);
        table.Add(HpackHeaderField.FromAscii("a", "1"));
        table.Add(HpackHeaderField.FromAscii("b", "2"));

        table.SetMaxSize(34);
        Assert.Equal(["b: 2"], Entries(table));

        table.SetMaxSize(0);
        Assert.Empty(Entries(table));
        Assert.Equal(0, table.Size);
    }

    [Fact]
    public void Entries_stay_in_order_as_the_ring_wraps_and_grows()
    {
        // 40 entries of 34 bytes fill 1,360 of 2,000 bytes; 200 more make the ring wrap many times.
        var table = new HpackDynamicTable(2000);
        for (int i = 0; i < 240; i++)
        {
            table.Add(HpackHeaderField.FromAscii("k", $"{i % 10}"));
            int expectedCount = Math.Min(i + 1, 2000 / 34);
            Assert.Equal(expectedCount, table.Count);
            for (int j = 0; j < expectedCount; j++)
            {
                Assert.Equal($"k: {(i - j) % 10}", table[j].ToString());
            }
        }
    }

    [Fact]
    public void Never_indexed_flag_is_not_stored()
    {
        var table = new HpackDynamicTable(4096);
        table.Add(HpackHeaderField.FromAscii("a", "1", neverIndexed: true));
        Assert.False(table[0].NeverIndexed);
    }

    private static List<string> Entries(HpackDynamicTable table) =>
        Enumerable.Range(0, table.Count).Select(i => table[i].ToString()).ToList();
}
