using System.Text;
using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

public class LayerPathTests
{
    [Theory]
    [InlineData("a/b/c", "a/b/c")]
    [InlineData("./a/b/", "a/b")]
    [InlineData("/etc/passwd", "etc/passwd")]
    [InlineData("//a//b//", "a/b")]
    [InlineData("a/./b/../c", "a/c")]
    [InlineData("a/..", "")]
    [InlineData("./", "")]
    [InlineData("/", "")]
    [InlineData("", "")]
    public void Normalize_makes_names_relative_and_clean(string name, string expected)
    {
        var destination = new byte[name.Length + 1];
        var length = LayerPath.Normalize(Encoding.UTF8.GetBytes(name), destination);
        Assert.Equal(expected, Encoding.UTF8.GetString(destination, 0, length));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/../etc/passwd")]
    [InlineData("./../..")]
    public void Normalize_refuses_names_that_climb_out(string name) =>
        Assert.Equal(-1, LayerPath.Normalize(Encoding.UTF8.GetBytes(name), new byte[name.Length + 1]));

    // Cases from Go's path/filepath TestClean.
    [Theory]
    [InlineData("", ".")]
    [InlineData("abc", "abc")]
    [InlineData("abc/def", "abc/def")]
    [InlineData(".", ".")]
    [InlineData("..", "..")]
    [InlineData("../..", "../..")]
    [InlineData("../../abc", "../../abc")]
    [InlineData("/abc", "/abc")]
    [InlineData("/", "/")]
    [InlineData("abc/", "abc")]
    [InlineData("abc/def/", "abc/def")]
    [InlineData("./", ".")]
    [InlineData("abc//def//ghi", "abc/def/ghi")]
    [InlineData("//abc", "/abc")]
    [InlineData("abc/./def", "abc/def")]
    [InlineData("/./abc/def", "/abc/def")]
    [InlineData("abc/.", "abc")]
    [InlineData("abc/def/ghi/../jkl", "abc/def/jkl")]
    [InlineData("abc/def/../ghi/../jkl", "abc/jkl")]
    [InlineData("abc/def/..", "abc")]
    [InlineData("abc/def/../..", ".")]
    [InlineData("/abc/def/../..", "/")]
    [InlineData("abc/def/../../..", "..")]
    [InlineData("/abc/def/../../..", "/")]
    [InlineData("abc/def/../../../ghi/jkl/../../../mno", "../../mno")]
    [InlineData("/../abc", "/abc")]
    [InlineData("abc/./../def", "def")]
    [InlineData("abc//./../def", "def")]
    [InlineData("abc/../../././../def", "../../def")]
    public void GoClean_matches_Go_filepath_Clean(string path, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(LayerPath.GoClean(Encoding.UTF8.GetBytes(path))));
}
