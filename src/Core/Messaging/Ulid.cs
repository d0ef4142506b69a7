using System.Security.Cryptography;

namespace Molecule.Core.Messaging;

/// <summary>
/// ULIDs (26 characters, Crockford base32, upper case): 48-bit millisecond time then 80 random bits, so
/// ids sort by time. <see cref="Next"/> keeps a per-workspace sequence strictly increasing.
/// </summary>
public static class Ulid
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const int Length = 26;

    public static string New(DateTimeOffset time)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = (ulong)time.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++) bytes[i] = (byte)(ms >> (8 * (5 - i)));
        RandomNumberGenerator.Fill(bytes[6..]);
        return Encode(bytes);
    }

    /// <summary>A new id for now, or the successor of <paramref name="last"/> when now would not sort after it.</summary>
    public static string Next(DateTimeOffset time, string? last)
    {
        var candidate = New(time);
        return last is null || string.CompareOrdinal(candidate, last) > 0 ? candidate : Increment(last);
    }

    public static bool IsValid(string? value)
    {
        if (value is not { Length: Length } || value[0] > '7') return false;
        foreach (var c in value) if (Alphabet.IndexOf(c) < 0) return false;
        return true;
    }

    public static DateTimeOffset Time(string ulid)
    {
        ulong ms = 0;
        for (var i = 0; i < 10; i++) ms = (ms << 5) | (uint)Alphabet.IndexOf(ulid[i]);
        return DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
    }

    public static string Increment(string ulid)
    {
        var chars = ulid.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            var digit = Alphabet.IndexOf(chars[i]);
            if (digit < 31) { chars[i] = Alphabet[digit + 1]; return new string(chars); }
            chars[i] = '0';
        }
        throw new OverflowException("ULID space exhausted");
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        // 128 bits → 26 base32 digits (the first digit carries the top 3 bits).
        var value = new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        Span<char> chars = stackalloc char[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }
}
