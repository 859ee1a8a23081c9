/**
 * Command lines that must be rejected, with the argv index, the position inside that element and the
 * expected-text of the GraphSyntaxError. Used by parse-errors.test.ts and single-parse.test.ts.
 */
export interface ErrorRow {
  title: string;
  argv: string | string[];
  arg: number;
  position: number;
  expected: string;
}

const LINK_TARGET = (d: string): string => `a filter, source or sink after link directive "${d}"`;
const LINK_INDEX = "a filter index (digits), '#fragment' or the end of the link directive";

export const errorRows: ErrorRow[] = [
  { title: '-i at the end', argv: '-i', arg: 0, position: 2, expected: 'a source URL after -i' },
  { title: '-src at the end', argv: '-src', arg: 0, position: 4, expected: 'a source URL after -src' },
  {
    title: '-o at the end',
    argv: '-i a.mp4 -o',
    arg: 2,
    position: 2,
    expected: 'a destination URL after -o',
  },
  {
    title: '-o with an empty URL',
    argv: ['-o', ''],
    arg: 1,
    position: 0,
    expected: 'a destination URL after -o',
  },
  {
    title: '-o with only options',
    argv: '-o :segdur=2',
    arg: 1,
    position: 0,
    expected: 'a destination URL after -o',
  },
  {
    title: '-dst with :gpac: first',
    argv: '-dst :gpac:x',
    arg: 1,
    position: 0,
    expected: 'a destination URL after -dst',
  },
  { title: 'src= without URL', argv: 'src=', arg: 0, position: 4, expected: 'a source URL after src=' },
  {
    title: 'dst= with only options',
    argv: 'dst=:x',
    arg: 0,
    position: 4,
    expected: 'a destination URL after dst=',
  },
  { title: 'dangling @', argv: '-i a.mp4 @', arg: 2, position: 1, expected: LINK_TARGET('@') },
  {
    title: 'dangling directives name the first',
    argv: 'f @1 @2 -graph',
    arg: 1,
    position: 2,
    expected: LINK_TARGET('@1'),
  },
  {
    title: 'dangling directive before -xopt',
    argv: '@ -xopt f',
    arg: 0,
    position: 1,
    expected: LINK_TARGET('@'),
  },
  {
    title: 'dangling directive before -h',
    argv: '-o x.mpd @@1 -h',
    arg: 2,
    position: 3,
    expected: LINK_TARGET('@@1'),
  },
  { title: '@x: non-numeric index', argv: '@x f', arg: 0, position: 1, expected: LINK_INDEX },
  { title: '@1x: junk after the index', argv: '@1x f', arg: 0, position: 2, expected: LINK_INDEX },
  { title: '@1@2 is not supported', argv: '@1@2 f', arg: 0, position: 2, expected: LINK_INDEX },
  { title: 'dangling @x reports the bad index first', argv: '@x', arg: 0, position: 1, expected: LINK_INDEX },
  { title: '@# without fragment', argv: '@# f', arg: 0, position: 2, expected: "a fragment after '#'" },
  { title: 'empty filter name', argv: ':foo', arg: 0, position: 0, expected: 'a filter name' },
  { title: 'empty element', argv: ['-graph', ''], arg: 1, position: 0, expected: 'a filter name' },
  { title: 'option without name', argv: 'f:=x', arg: 0, position: 2, expected: "an option name before '='" },
  {
    title: 'negation without name',
    argv: 'f:a=1:!',
    arg: 0,
    position: 7,
    expected: "an option name after '!'",
  },
  {
    title: 'property without name',
    argv: 'f:#=1',
    arg: 0,
    position: 3,
    expected: "a property name after '#'",
  },
  { title: 'FID without value', argv: 'f:FID', arg: 0, position: 5, expected: 'a filter ID after FID=' },
  { title: 'FID= empty', argv: '-i a.mp4:FID=', arg: 1, position: 10, expected: 'a filter ID after FID=' },
  { title: 'SID= empty', argv: 'f:SID=', arg: 0, position: 6, expected: 'a source ID list after SID=' },
  { title: '-- alone', argv: '--', arg: 0, position: 2, expected: 'an option name after --' },
  { title: '--=1', argv: '-graph --=1', arg: 1, position: 2, expected: 'an option name after --' },
  { title: '-+ alone', argv: '-+', arg: 0, position: 2, expected: 'an option name after -+' },
  {
    title: 'global with empty filter',
    argv: '--@segdur=2',
    arg: 0,
    position: 2,
    expected: "a filter name before '@'",
  },
  {
    title: 'global with empty option after :',
    argv: '--dasher:',
    arg: 0,
    position: 9,
    expected: "an option name after ':'",
  },
  {
    title: 'session option without name',
    argv: '-=x',
    arg: 0,
    position: 1,
    expected: "an option name after '-'",
  },
  { title: 'lone dash', argv: '-i a.mp4 -', arg: 2, position: 1, expected: "an option name after '-'" },
  { title: '-logs at the end', argv: '-logs', arg: 0, position: 5, expected: 'a value after -logs' },
  {
    title: '-threads at the end',
    argv: '-i a.mp4 -threads',
    arg: 2,
    position: 8,
    expected: 'a value after -threads',
  },
  {
    title: 'NUL inside an element',
    argv: ['-i', 'a\u0000b'],
    arg: 1,
    position: 1,
    expected: 'no NUL character',
  },
];
