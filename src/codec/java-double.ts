/**
 * Java's text for a `double` (`Double.toString`, `String.valueOf(double)`, and what fastjson writes
 * for a double field), so that TPS values and averages read as a Java broker prints them:
 *
 * | value                         | Java text                | JavaScript's `String(v)` |
 * |-------------------------------|--------------------------|--------------------------|
 * | 0                             | `0.0`                    | `0`                      |
 * | 290.3076923076923             | `290.3076923076923`      | the same                 |
 * | 1e-3 ≤ abs(v) < 1e7, integral | `13.0`                   | `13`                     |
 * | abs(v) < 1e-3 or ≥ 1e7        | `1.0E-4`, `1.2345678E7`  | `0.0001`, `12345678`     |
 * | NaN, ±Infinity                | `NaN`, `Infinity`        | the same                 |
 *
 * Digits are the shortest that round-trip (JDK 19+ `Double.toString`; older JDKs sometimes print
 * one more digit, which reads back as the same double).
 */

export function javaDoubleString(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

