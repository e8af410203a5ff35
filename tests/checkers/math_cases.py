"""Equivalence cases for the math checker: (answer, gold, expected verdict).

Shared by tests/checkers/test_math.py and loadtests/bench_math.py (the benchmark runs
rewardkit and Math-Verify on exactly these). Each category names what it exercises; the
expected verdicts follow the policies in docs/math.md.
"""

from __future__ import annotations

Case = tuple[str, str, bool]

INTEGERS: list[Case] = [
    ("42", "42", True),
    ("-5", "-5", True),
    ("5", "-5", False),
    ("-5", "5", False),
    ("7,425,000", "7425000", True),
    ("7425000", "7,425,000", True),
    ("1 000", "1000", True),
    ("1{,}000", "1000", True),
    ("10\\,000", "10000", True),
    ("10\\!000", "10000", True),
    ("1000.0", "1000", True),
    ("1000", "1000.0", True),
    ("+3", "3", True),
    ("0", "0", True),
    ("-0", "0", True),
    ("41", "42", False),
    ("43", "42", False),
    ("14{,}916", "14916", True),
    ("12,000,023", "12000023", True),
    ("120", "12", False),
    ("\\$1,000", "1000", True),
    ("1000 \\text{ dollars}", "1000", True),
    ("3.0", "3", True),
    ("2.9999", "3", False),
    ("3.01", "3", False),
    ("007", "7", True),
]

DECIMALS_FRACTIONS: list[Case] = [
    ("0.5", "\\frac{1}{2}", True),
    ("\\frac{1}{2}", "0.5", True),
    ("\\frac12", "1/2", True),
    ("1/2", "\\dfrac{1}{2}", True),
    ("\\tfrac{1}{2}", "0.5", True),
    (".5", "0.5", True),
    ("0.50", "0.5", True),
    ("\\frac{2}{4}", "\\frac{1}{2}", True),
    ("\\frac{10}{9}", "10/9", True),
    ("-\\frac{10}{9}", "-10/9", True),
    ("\\frac{-10}{9}", "-10/9", True),
    ("\\frac{10}{-9}", "-10/9", True),
    ("\\frac{9}{10}", "10/9", False),
    ("\\frac{1}{3}", "\\frac{2}{6}", True),
    ("0.25", "\\frac14", True),
    ("0.2", "\\frac14", False),
    ("\\frac{3}{4}", "0.75", True),
    ("0.125", "\\frac{1}{8}", True),
    ("1.25", "\\frac{5}{4}", True),
    ("2.5", "\\frac{5}{2}", True),
    ("\\frac{5}{2}", "2.5", True),
    ("\\frac{7}{3}", "\\frac{7}{4}", False),
    ("\\frac{14}{3}", "\\frac{14}{3}", True),
    ("4.67", "\\frac{14}{3}", False),
    ("0.1", "\\frac{1}{10}", True),
    ("0.01", "0.1", False),
    ("1.5", "\\frac{3}{2}", True),
    ("-0.75", "-\\frac{3}{4}", True),
    ("0.75", "-\\frac{3}{4}", False),
    ("\\frac{6}{8}", "\\frac{3}{4}", True),
]

MIXED_PERCENT: list[Case] = [
    ("2\\frac{1}{2}", "\\frac{5}{2}", True),
    ("2\\frac{1}{2}", "2.5", True),
    ("2 1/2", "5/2", True),
    ("3\\frac{1}{4}", "\\frac{13}{4}", True),
    ("3\\frac{1}{4}", "\\frac{3}{4}", False),
    ("-1\\frac{1}{2}", "-1.5", True),
    ("50\\%", "50", True),
    ("50", "50\\%", True),
    ("50\\%", "0.5", True),
    ("0.5", "50\\%", True),
    ("28 percent", "28\\%", True),
    ("28\\%", "28\\%", True),
    ("28", "0.28", False),
    ("28/100", "28", False),
    ("\\frac{28}{100}", "28", False),
    ("25\\%", "0.2", False),
    ("12.5\\%", "\\frac{1}{8}", True),
    ("40\\%", "40", True),
    ("4\\%", "40\\%", False),
    ("33.3\\%", "\\frac{1}{3}", False),
]

SCIENTIFIC: list[Case] = [
    ("1e3", "1000", True),
    ("1000", "1e3", True),
    ("1.5\\times10^{3}", "1500", True),
    ("1.5 \\cdot 10^3", "1500", True),
    ("1500", "1.5\\times 10^{3}", True),
    ("10^{-3}", "0.001", True),
    ("1\\times10^{-3}", "\\frac{1}{1000}", True),
    ("2.5 \\times 10^{-4}", "0.00025", True),
    ("2.5 \\times 10^{4}", "0.00025", False),
    ("6.022 \\times 10^{23}", "6.02 \\times 10^{23}", True),
    ("6.1 \\times 10^{23}", "6.02 \\times 10^{23}", False),
    ("3 \\times 10^{8}", "300000000", True),
    ("3E8", "3 \\times 10^8", True),
    ("10^{6}", "1000000", True),
    ("10^{5}", "1000000", False),
    ("2^{10}", "1024", True),
    ("2^{100}", "2^{100}", True),
    ("2^{100}+1", "2^{100}", False),
    ("1267650600228229401496703205377", "2^{100}", False),
    ("1267650600228229401496703205376", "2^{100}", True),
    ("2^{200}", "2^{200}+1", False),
    ("10^{-30}", "10^{-31}", False),
]

ROUNDING: list[Case] = [
    ("0.333", "\\frac{1}{3}", False),
    ("0.3333333", "\\frac{1}{3}", False),
    ("1.414", "\\sqrt{2}", False),
    ("2.718", "e", False),
    ("3.14", "\\pi", False),
    ("3.14159", "\\pi", False),
    ("\\frac{1}{3}", "0.33", True),
    ("\\frac{1}{3}", "0.333", True),
    ("0.333", "0.33", True),
    ("0.3", "0.33", False),
    ("0.34", "0.33", False),
    ("\\sqrt{2}", "1.41", True),
    ("\\sqrt{2}", "1.414", True),
    ("\\sqrt{2}", "1.42", False),
    ("1.4142", "1.414", True),
    ("\\pi", "3.14", True),
    ("\\pi", "3.1416", True),
    ("3.1416", "3.14", True),
    ("3.1", "3.14", False),
    ("e", "2.718", True),
    ("\\frac{2}{3}", "0.67", True),
    ("\\frac{2}{3}", "0.66", False),
    ("0.667", "0.67", True),
    ("16386.2", "16386.20", True),
    ("16,386.20", "16386.20", True),
    ("16386.3", "16386.20", False),
    ("\\frac{1}{12}", "0.0833", True),
    ("0.0833", "\\frac{1}{12}", False),
    ("-\\frac{1}{3}", "-0.33", True),
    ("-\\frac{1}{3}", "0.33", False),
]

RADICALS_PI: list[Case] = [
    ("\\sqrt{8}", "2\\sqrt{2}", True),
    ("2\\sqrt{2}", "\\sqrt{8}", True),
    ("\\sqrt{12}", "2\\sqrt{3}", True),
    ("3\\sqrt{2}", "2\\sqrt{3}", False),
    ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", True),
    ("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}", True),
    ("\\sqrt{3}", "3", False),
    ("\\sqrt3", "\\sqrt{3}", True),
    ("\\sqrt[3]{8}", "2", True),
    ("\\sqrt[3]{27}", "9", False),
    ("2\\pi", "2\\pi", True),
    ("\\pi \\cdot 2", "2\\pi", True),
    ("6.28", "2\\pi", False),
    ("\\frac{\\pi}{2}", "\\frac{1}{2}\\pi", True),
    ("\\pi/2", "\\frac{\\pi}{2}", True),
    ("\\frac{\\pi}{3}", "\\frac{\\pi}{2}", False),
    ("4\\pi", "4 \\pi", True),
    ("16\\pi", "4\\pi", False),
    ("1+\\sqrt{5}", "\\sqrt{5}+1", True),
    ("\\frac{1+\\sqrt{5}}{2}", "2", False),
    (
        "\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{15+2\\sqrt{33}}",
        "\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{2\\sqrt{33}+15}",
        True,
    ),
    ("5-\\sqrt{2}", "5+\\sqrt{2}", False),
    ("\\sqrt{2}-1", "\\frac{1}{\\sqrt{2}+1}", True),
    ("e^{i\\pi}", "-1", True),
    ("\\log_2 8", "3", True),
    ("\\ln e", "1", True),
    ("\\binom{5}{2}", "10", True),
    ("5!", "120", True),
    ("\\frac{1}{3\\sqrt[3]{x}^2}", "\\frac{1}{3x^{2/3}}", True),
    ("2\\sqrt{5}", "\\sqrt{20}", True),
]

EXPRESSIONS: list[Case] = [
    ("x^2-1", "(x-1)(x+1)", True),
    ("(x+1)^2", "x^2+2x+1", True),
    ("(x+1)^2", "x^2+1", False),
    ("\\frac{x}{7}+\\frac{2}{7}", "\\frac{x+2}{7}", True),
    ("\\sec^2(y)", "\\tan^2(y)+1", True),
    ("\\sin^2 x + \\cos^2 x", "1", True),
    ("2\\sin x\\cos x", "\\sin 2x", True),
    ("x+1", "x+2n+1", False),
    ("2-2p", "2-2p", True),
    ("-2p+2", "2-2p", True),
    ("2+2p", "2-2p", False),
    ("a^2+b^2", "b^2+a^2", True),
    ("(a+b)^2", "a^2+b^2", False),
    ("3x", "x \\cdot 3", True),
    ("\\frac{1}{x}", "x^{-1}", True),
    ("e^{2x}", "(e^x)^2", True),
    ("\\ln(x^2)", "2\\ln x", True),
    ("x^3", "x^2", False),
    ("\\frac{x^2-1}{x-1}", "x+1", True),
    ("n(n+1)/2", "\\frac{n^2+n}{2}", True),
    ("\\frac{n(n-1)}{2}", "\\frac{n^2+n}{2}", False),
    ("2^n", "2^{n}", True),
    ("2^{n+1}", "2 \\cdot 2^n", True),
    ("2^{n+1}", "2^n", False),
    ("0.5x", "\\frac{x}{2}", True),
    ("\\frac{1}{2}x+3", "3+\\frac{x}{2}", True),
    ("-x", "x", False),
    ("|x|", "x", False),
    ("\\frac{a}{b}", "\\frac{b}{a}", False),
    ("(a+5)(b+2)", "(+5)(b+2)", False),
]

EQUATIONS: list[Case] = [
    ("x = 3", "3", True),
    ("3", "x = 3", True),
    ("x=3", "x=3", True),
    ("x = 4", "3", False),
    ("k = \\frac{1}{3}", "\\frac{1}{3}", True),
    ("y = 2x+1", "y=2x+1", True),
    ("2x+1-y=0", "y = 2x+1", True),
    ("y = 2x+1", "2x-y+1=0", True),
    ("y = 2x-1", "y=2x+1", False),
    ("y = 1 + 2x", "y = 2x + 1", True),
    ("2y = 4x+2", "y = 2x+1", True),
    ("34x+45y-20z+100=0", "-34x-45y+20z-100=0", True),
    ("x^2+y^2=25", "x^2+y^2=5", False),
    ("x^2 + y^2 = 25", "y^2 + x^2 = 25", True),
    ("y = x^2", "y = x^3", False),
    ("x = 2 + 1 = 3", "3", True),
    ("a = 5", "5", True),
    ("n = 7", "8", False),
    ("f(x) = 2x", "2x", True),
    ("y=3x-2", "3x-2", True),
]

SETS_TUPLES: list[Case] = [
    ("\\{1,2,3\\}", "\\{1,2,3\\}", True),
    ("\\{3,1,2\\}", "\\{1,2,3\\}", True),
    ("\\{1,2\\}", "\\{1,2,3\\}", False),
    ("1, 2, 3", "\\{1, 2, 3\\}", True),
    ("3, 2, 1", "1, 2, 3", True),
    ("1, 2", "1, 2, 3", False),
    ("1, 2, 4", "1, 2, 3", False),
    ("x=1, x=2", "1, 2", True),
    ("2, -2", "\\pm 2", True),
    ("\\pm 2", "2, -2", True),
    ("\\pm 2", "2", False),
    ("1 \\pm \\sqrt{2}", "1+\\sqrt{2}, 1-\\sqrt{2}", True),
    ("(1, 2)", "(1, 2)", True),
    ("(2, 1)", "(1, 2)", False),
    ("(1,2,3)", "(1,2,3)", True),
    ("(1,3,2)", "(1,2,3)", False),
    ("(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)", True),
    ("(3, \\frac{\\pi}{3})", "\\left( 3, \\frac{\\pi}{2} \\right)", False),
    ("(1, 4.5)", "(1, \\frac{9}{2})", True),
    ("\\left( \\frac{1}{5}, \\frac{1}{6} \\right)", "(\\frac15, \\frac16)", True),
    ("(\\frac16, \\frac15)", "(\\frac15, \\frac16)", False),
    ("(7, 6)", "(7,6)", True),
    ("\\{1, 2, 3\\}", "(1, 2, 3)", False),
    ("\\{-1, 1\\}", "\\{1, -1\\}", True),
    ("\\{\\frac{1}{2}, 2\\}", "\\{0.5, 2\\}", True),
    ("\\emptyset", "\\emptyset", True),
    ("\\langle 1, 2, 3 \\rangle", "(1, 2, 3)", True),
    ("(1, -2)", "(1, 2)", False),
    ("(0, 0), (1, 1)", "(1, 1), (0, 0)", True),
    ("(0, 0), (1, 2)", "(1, 1), (0, 0)", False),
    ("12 \\text{ and } 13", "12, 13", True),
    ("1, 1, 2", "1, 2, 2", False),
]

INTERVALS: list[Case] = [
    ("[0, 1)", "[0,1)", True),
    ("[0, 1]", "[0,1)", False),
    ("(0, 1)", "[0,1)", False),
    ("[0, 9)", "[0,1)", False),
    ("(-\\infty, 3)", "(-\\infty, 3)", True),
    ("(-\\infty, 3]", "(-\\infty, 3)", False),
    ("(3, \\infty)", "(3, +\\infty)", True),
    ("(-\\infty, -3] \\cup [2, \\infty)", "(-\\infty,-3]\\cup[2,\\infty)", True),
    ("[2, \\infty) \\cup (-\\infty, -3]", "(-\\infty,-3]\\cup[2,\\infty)", True),
    ("(-\\infty, -3) \\cup [2, \\infty)", "(-\\infty,-3]\\cup[2,\\infty)", False),
    ("[-3, 2]", "(-\\infty,-3]\\cup[2,\\infty)", False),
    ("(0.6, 2.6667]", "(\\frac{3}{5}, \\frac{8}{3}]", False),
    ("(\\frac{3}{5}, \\frac{8}{3}]", "(0.6, \\frac{8}{3}]", True),
    ("x > 3", "(3, \\infty)", True),
    ("(3, \\infty)", "x > 3", True),
    ("x \\ge 3", "[3, \\infty)", True),
    ("x \\geq 3", "(3, \\infty)", False),
    ("-1 < x < 1", "(-1, 1)", True),
    ("-1 \\le x < 1", "(-1, 1)", False),
    ("x \\in [1, 2)", "[1, 2)", True),
    ("[-2, 5]", "[-2,5]", True),
    ("[-2, 5]", "[2,5]", False),
]

COMPLEX: list[Case] = [
    ("3+4i", "3+4i", True),
    ("4i+3", "3+4i", True),
    ("3-4i", "3+4i", False),
    ("-4i+3", "3-4i", True),
    ("i", "\\sqrt{-1}", True),
    ("2i", "i\\cdot 2", True),
    ("\\frac{1+i}{2}", "\\frac12 + \\frac{i}{2}", True),
    ("1+i", "1-i", False),
    ("(1+i)^2", "2i", True),
    ("-1", "i^2", True),
    ("5", "|3+4i|", True),
    ("\\frac{1}{i}", "-i", True),
    ("2+3i", "3+2i", False),
    ("e^{i\\pi/2}", "i", True),
]

MATRICES: list[Case] = [
    (
        "\\begin{pmatrix}1 & 2\\\\3 & 4\\end{pmatrix}",
        "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
        True,
    ),
    (
        "\\begin{bmatrix}1 & 2\\\\3 & 4\\end{bmatrix}",
        "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
        True,
    ),
    (
        "\\begin{pmatrix}1 & 2\\\\3 & 5\\end{pmatrix}",
        "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
        False,
    ),
    (
        "\\begin{pmatrix}1 & 3\\\\2 & 4\\end{pmatrix}",
        "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
        False,
    ),
    (
        "\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}",
        "\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}",
        True,
    ),
    (
        "\\begin{pmatrix}\\frac12\\\\ 0.25\\end{pmatrix}",
        "\\begin{pmatrix}0.5\\\\ \\frac14\\end{pmatrix}",
        True,
    ),
    (
        "\\begin{pmatrix}3\\\\2\\\\-6\\end{pmatrix}",
        "\\begin{pmatrix}3\\\\2\\\\-6\\end{pmatrix}",
        True,
    ),
    (
        "\\begin{pmatrix}3\\\\2\\\\6\\end{pmatrix}",
        "\\begin{pmatrix}3\\\\2\\\\-6\\end{pmatrix}",
        False,
    ),
    ("(3, 2, -6)", "\\begin{pmatrix}3\\\\2\\\\-6\\end{pmatrix}", True),
    ("\\begin{pmatrix}3\\\\2\\\\-6\\end{pmatrix}", "(3,2,-6)", True),
    ("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\\\3\\end{pmatrix}", False),
    (
        "\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\end{pmatrix}",
        "\\begin{pmatrix}-1.75&-2\\\\4&0.25\\end{pmatrix}",
        True,
    ),
    (
        "\\begin{pmatrix}1 & 0\\\\0 & 1\\end{pmatrix}",
        "\\begin{pmatrix}1 & 0\\\\0 & -1\\end{pmatrix}",
        False,
    ),
    (
        "\\begin{pmatrix}x & 1\\\\ 0 & 2x\\end{pmatrix}",
        "\\begin{pmatrix}x & 1\\\\ 0 & x+x\\end{pmatrix}",
        True,
    ),
]

INEQUALITIES: list[Case] = [
    ("x > 3", "x>3", True),
    ("3 < x", "x > 3", True),
    ("x < 3", "x > 3", False),
    ("x \\le 5", "x \\leq 5", True),
    ("x < 5", "x \\leq 5", False),
    ("5 \\ge x", "x \\le 5", True),
    ("x^2 < 4", "4 > x^2", True),
    ("x^2 > 4", "x^2 < 4", False),
    ("2x > 6", "x > 3", True),
    ("-x < -3", "x > 3", True),
    ("a \\ge b", "b \\le a", True),
    ("a > b", "b \\le a", False),
    ("y \\ge 2x+1", "2x + 1 \\le y", True),
    ("1 \\le x \\le 4", "[1, 4]", True),
]

TEXT_UNITS: list[Case] = [
    ("\\text{Evelyn}", "\\text{Evelyn}", True),
    ("Evelyn", "\\text{Evelyn}", True),
    ("\\text{Briana}", "\\text{Evelyn}", False),
    ("\\text{Monday}", "Monday", True),
    ("\\text{Tuesday}", "Monday", False),
    ("yes", "\\text{Yes}", True),
    ("no", "\\text{Yes}", False),
    ("\\text{odd}", "\\text{odd}", True),
    ("\\text{even}", "\\text{odd}", False),
    ("10 \\text{ cm}", "10", True),
    ("10", "10 \\text{ cm}", True),
    ("10 \\text{cm}", "10\\text{ cm}", True),
    ("100 \\text{ cm}", "1 \\text{ m}", True),
    ("1 \\text{ m}", "100 \\text{ cm}", True),
    ("10 \\text{ m}", "10 \\text{ cm}", False),
    ("240 \\text{ minutes}", "4 \\text{ hours}", True),
    ("4 \\text{ hours}", "240 \\text{ minutes}", True),
    ("4 \\text{ minutes}", "4 \\text{ hours}", False),
    ("2 \\text{ hours}", "120 \\text{ min}", True),
    ("90 \\text{ seconds}", "1.5 \\text{ minutes}", True),
    ("5 \\text{ km}", "5000 \\text{ m}", True),
    ("500 \\text{ m}", "5 \\text{ km}", False),
    ("2 \\text{ kg}", "2000 \\text{ g}", True),
    ("20 \\text{ cm}^2", "20", True),
    ("1 \\text{ m}^2", "10000 \\text{ cm}^2", True),
    ("12 \\text{ inches}", "1 \\text{ foot}", True),
    ("45^\\circ", "45", True),
    ("45", "45^\\circ", True),
    ("45^{\\circ}", "45^\\circ", True),
    ("\\frac{\\pi}{4}", "45^\\circ", True),
    ("45^\\circ", "\\frac{\\pi}{4}", True),
    ("\\frac{\\pi}{3}", "45^\\circ", False),
    ("90^\\circ", "\\frac{\\pi}{2}", True),
    ("60°", "\\frac{\\pi}{3}", True),
    ("30^\\circ", "60^\\circ", False),
    ("5 \\text{ apples}", "5", True),
    ("6 \\text{ apples}", "5", False),
    ("\\$5.50", "5.50", True),
    ("5.5 \\text{ dollars}", "\\$5.50", True),
    ("\\text{5 cm}", "5", True),
]

MULTIPLE_CHOICE: list[Case] = [
    ("B", "B", True),
    ("b", "B", True),
    ("(B)", "B", True),
    ("\\text{(B)}", "B", True),
    ("\\textbf{(B)}", "(B)", True),
    ("B", "\\text{(B)}", True),
    ("C", "B", False),
    ("(C)", "(B)", False),
    ("A, C", "A", False),
    ("A and C", "A", False),
    ("AC", "A", False),
    ("A, C", "A, C", True),
    ("C, A", "A, C", True),
    ("A", "A, C", False),
    ("\\text{(D) } 12", "D", True),
    ("(D) 12", "(D)", True),
    ("(E) 12", "(D)", False),
    ("E", "E", True),
    ("e", "E", True),
    ("Option A", "A", True),
]

ADVERSARIAL: list[Case] = [
    ("", "5", False),
    ("5 or 6", "5", False),
    ("5, 6", "5", False),
    ("\\text{5 or 6}", "5", False),
    ("x", "5", False),
    ("\\frac{1}{0}", "5", False),
    ("\\infty", "5", False),
    ("\\infty", "\\infty", True),
    ("-\\infty", "\\infty", False),
    ("\\text{undefined}", "0", False),
    ("\\text{no solution}", "\\text{no solution}", True),
    ("9^{9^{9^9}}", "1", False),
    ("(10^{10})!", "1", False),
    ("100000!", "1", False),
    ("2^{2^{2^{2^{2^{2}}}}}", "4", False),
    (
        "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{5}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}",
        "5",
        False,
    ),
    ("5" * 5000, "5", False),
    ("1" * 400, "1" * 400, True),
    ("\\frac{\\frac{\\frac{1}{2}}{2}}{2}", "\\frac{1}{8}", True),
    ("]]]]", "5", False),
    ("((((", "5", False),
    ("\\begin{pmatrix}", "5", False),
    ("0.999999999", "1", False),
    ("1-10^{-20}", "1", False),
    ("\\sqrt{-1}", "1", False),
    ("5\\%\\%", "5", False),
    ("3.", "3", True),
    ("3..", "3", True),
    ("-", "5", False),
    ("\\boxed{}", "5", False),
]

# Shapes met in other verifiers' public test suites (Math-Verify, the MATH `is_equiv` tests,
# NeMo-Skills / Qwen2.5-Math `math_equal`, verl), re-expressed with our own values.
PUBLIC_SUITES: list[Case] = [
    # escaped twice: every command with a doubled backslash
    (
        "\\\\left(\\\\frac{2}{7}, \\\\frac{3}{7}\\\\right)",
        "\\left(\\frac{2}{7},\\frac{3}{7}\\right)",
        True,
    ),
    (
        "\\left(\\frac{2}{7},\\frac{3}{7}\\right)",
        "\\\\left(\\\\frac{2}{7},\\\\frac{3}{7}\\\\right)",
        True,
    ),
    ("x \\in [-3, 8]", "-3 \\\\le x \\\\le 8", True),
    ("x \\in [-3, 8)", "-3 \\\\le x \\\\le 8", False),
    # a named quantity on the left of `=`
    ("(4, 1)", "(m, n) = (4, 1)", True),
    ("(1, 4)", "(m, n) = (4, 1)", False),
    ("(a, b, c) = (2, 5, 9)", "(2, 5, 9)", True),
    ("2", "|PQ| = 2", True),
    ("3", "|PQ| = 2", False),
    ("5:12", "S_{ABC}:S_{ABD} = 5:12", True),
    ("\\frac{1}{\\sqrt{3}}", "\\frac{AM}{MB} = \\frac{1}{\\sqrt{3}}", True),
    ("E = (2, 3)", "E = (2, 3)", True),
    ("E = (2, 3)", "E = (2, 4)", False),
    ("11a + c", "8 = 11a + c", False),
    ("x^2 - 7x + 12 = 0", "0", False),
    ("6 \\times 7 = 42", "42", True),
    # ratios and clock times
    ("3:8", "6:16", True),
    ("3:8", "8:3", False),
    ("10:30", "10:30", True),
    ("11:00", "1:00", False),
    # lists: a solution written twice, groups of assignments, plain braces as a TeX group
    ("(2, 9), (9, 2), (2,9)", "(2,9), (9,2)", True),
    ("1, 1, 3", "1, 3, 3", False),
    ("(4, 3), (6, 3)", "a = 4, b = 3; a = 6, b = 3", True),
    ("(4, 3), (6, 5)", "a = 4, b = 3; a = 6, b = 3", False),
    ("{3, 7}", "3, 7", True),
    ("{3, 7}", "(3, 7)", True),
    # numbers: decimal comma against a plain number, glued thousands, Python powers
    ("2500,75", "2500.75", True),
    ("0,375", "0.375", True),
    ("2500.75", "2500,75", True),
    ("0.375", "0,385", False),
    ("23,\\! 456,\\! 001", "23456001", True),
    ("23 {, }456", "23456", True),
    ("2*y**3", "2y^3", True),
    ("5 - 5*i**2", "10", True),
    ("4s^2", "4 \\cdot s^{2}", True),
    ("042", "42", True),
    ("+042", "42", True),
    ("-0", "000", True),
    ("216\\", "216", True),
    # rounding: only a gold that looks rounded accepts a finer answer
    ("0.54", "0.5", False),
    ("0.50", "0.5", True),
    ("0.254", "0.25", False),
    ("0.125", "\\frac{1}{8}", True),
    ("2.718", "2.72", True),
    ("3.1416", "3.14", True),
    ("0.064", "0.06", False),
    ("1.732", "1.73", True),
    ("1.7", "1.73", False),
    # matrices given as arithmetic, text answers with plurals
    (
        "\\begin{pmatrix}1 & 0 \\\\ 2 & 1\\end{pmatrix} + \\begin{pmatrix}1 & 1 \\\\ 0 & 2\\end{pmatrix}",
        "\\begin{pmatrix}2 & 1 \\\\ 2 & 3\\end{pmatrix}",
        True,
    ),
    (
        "\\begin{pmatrix}1 & 0 \\\\ 2 & 1\\end{pmatrix} + \\begin{pmatrix}1 & 1 \\\\ 0 & 2\\end{pmatrix}",
        "\\begin{pmatrix}2 & 1 \\\\ 2 & 4\\end{pmatrix}",
        False,
    ),
    ("\\text{blue marbles}", "\\text{blue marble}", True),
    ("\\text{green marbles}", "\\text{blue marble}", False),
    ("x != 4", "x \\neq 4", True),
    ("-y \\ge -3", "y \\le 3", True),
    ("-y \\ge 3", "y \\le 3", False),
    ("3x + 6y - 9 = 0", "y = -\\frac{1}{2}x + \\frac{3}{2}", True),
    ("\\frac{x^2}{8} + \\frac{y^2}{6} = \\frac{1}{2}", "\\frac{x^2}{4} + \\frac{y^2}{3} = 1", True),
]

CATEGORIES: dict[str, list[Case]] = {
    "integers": INTEGERS,
    "decimals/fractions": DECIMALS_FRACTIONS,
    "mixed/percent": MIXED_PERCENT,
    "scientific/huge": SCIENTIFIC,
    "rounding policy": ROUNDING,
    "radicals/pi": RADICALS_PI,
    "expressions": EXPRESSIONS,
    "equations": EQUATIONS,
    "sets/tuples": SETS_TUPLES,
    "intervals": INTERVALS,
    "complex": COMPLEX,
    "matrices/vectors": MATRICES,
    "inequalities": INEQUALITIES,
    "text/units/angles": TEXT_UNITS,
    "multiple choice": MULTIPLE_CHOICE,
    "adversarial": ADVERSARIAL,
    "public suites": PUBLIC_SUITES,
}

ALL: list[tuple[str, Case]] = [(cat, case) for cat, cases in CATEGORIES.items() for case in cases]


# Whole completions (completion, gold, expected): where the answer is found, in the shapes that
# public suites use (Minerva "Final Answer:", bold lines, prose, several boxes, chat leaks).
COMPLETIONS: list[Case] = [
    ("Final Answer: The final answer is $15\\%$. I hope it is correct.", "15\\%", True),
    ("Final Answer: The final answer is $16\\%$. I hope it is correct.", "15\\%", False),
    ("Final Answer: The area of $PQRS$ is 96. I hope it is correct.", "96", True),
    ("Final Answer: The smallest possible $k$ is 27.", "27", True),
    ("Final Answer: Ann finished the race 6 minutes ago.", "6", True),
    ("Final Answer: Ann finished the race 7 minutes ago.", "6", False),
    (
        "so $y = 3$ and the area is $7$, hence the pair is $(3, 7)$. <|im_start|>user\nNext one",
        "(3, 7)",
        True,
    ),
    ("Hence $y \\leq 4$ is the solution.", "y \\le 4", True),
    ("Thus $t >= 2$ is our answer.", "t \\ge 2", True),
    ("We conclude that $t \\neq 1$.", "t \\ne 1", True),
    ("Putting it together:\n\\[\n 17 \n\\]", "17", True),
    ("Putting it together:\n$$\n 17 \n$$", "18", False),
    ("Total: $ \\frac{2}{3} \\$ = \\frac{5}{8} $", "\\frac{5}{8}", True),
    ("So the total is **64**", "64", True),
    ("So the total is **64**", "46", False),
    ("The roots are $\\boxed{-3}$ and $\\boxed{5}$.", "5, -3", True),
    ("The roots are $\\boxed{-3}$ and $\\boxed{5}$.", "5", False),
    ("It is \\boxed{-3} or maybe \\boxed{5}.", "-3, 5", False),
    ("\\boxed{(1, 4)}, \\boxed{(4, 1)}, \\boxed{(2, 2)}", "(2,2), (4,1), (1,4)", True),
    ("\\boxed{m = 12} \\quad \\text{and} \\quad \\boxed{n = 5}", "m = 12, n = 5", True),
    (
        "$y_1 = \\boxed{(x-2)^2 + 1}$ and $y_2 = \\boxed{2(x+1)^2 - 3}$",
        "y_1 = x^2-4x+5, y_2 = 2x^2+4x-1",
        True,
    ),
    ("\\boxed{4, 9}", "\\boxed{4} and \\boxed{9}", True),
    ("\\boxed{4, 9}", "\\boxed{4} not this one \\boxed{9}", False),
    (
        "The value is $\\boxed{\\\\left( 2, \\\\frac{\\\\pi}{3} \\\\right)}$.",
        "(2, \\frac{\\pi}{3})",
        True,
    ),
    ("35 percent", "35\\%", True),
    ("$2,450.50", "2450.5", True),
    ("1,250.5$", "1250.5", True),
    ("I think it is about five", "5", False),
    ("\\boxed{7", "7", False),
    (
        "The first box \\boxed{12} was a step. Final Answer: The final answer is $20$.",
        "12",
        True,
    ),
]


def completion_for(answer: str) -> str:
    """A short R1-style completion whose final answer is `answer` in a box."""
    return (
        f"<think>Let me work it out step by step.</think>\nSo the result is $\\boxed{{{answer}}}$."
    )


# --- held-out style ---------------------------------------------------------------------------
# Whole completions written independently of the tables above, in the shapes models produce
# (reasoning in <think>, boxed answers in several layouts, Minerva and bold final-answer lines,
# leaked chat tokens), each with the status a careful grader gives under docs/math.md:
# (category, completion, gold, expected status). `HELD_OUT_GAPS` are known misses (false
# rejects of rare notations), kept as strict expected failures so a fix shows up.

HeldOut = tuple[str, str, str, str]


def _held_out() -> list[HeldOut]:
    """The held-out style cases (built once at import)."""
    C, W, N, INV, T = "correct", "wrong", "no_answer", "invalid", "timeout"

    REASONS = [
        "Let me set up the problem. We have 12 apples and 3 baskets, so 12/3 = 4 per basket. "
        "Hmm, wait, that is not what is asked. Let me recompute with the second condition.",
        "First, expand: (x+1)^2 = x^2 + 2x + 1. Then compare coefficients. I initially thought "
        "the answer was \\boxed{7}, but that used the wrong sign. Redo it carefully.",
        "We use the formula $A = \\pi r^2$ with $r = 3$. Then check the edge cases n = 0 and n = 1. "
        "Alternatively, maybe 10? No. Let me verify numerically: 2.5 * 4 = 10.",
        "Step 1: simplify. Step 2: substitute $x = 2$. Step 3: check. The discriminant is 16 - 12 = 4.",
    ]

    def wrap(ans: str, k: int) -> str:
        """A realistic completion whose final answer is `ans` (LaTeX), in one of several styles."""
        r = REASONS[k % len(REASONS)]
        style = k % 7
        if style in (2, 6):
            # No think block: the whole text is the answer part, so no earlier box in it.
            r = r.replace("\\boxed{7}", "7")
        if style == 0:
            return f"<think>\n{r}\n</think>\n\nPutting it together, the answer is\n\\[\n\\boxed{{{ans}}}\n\\]"
        if style == 1:
            return f"<think>{r}</think>\n\nSo we get $\\boxed{{{ans}}}$."
        if style == 2:
            return f"{r}\n\nTherefore, the final answer is $\\boxed{{{ans}}}$."
        if style == 3:
            return f"<think>\n{r}\n</think>\n\n**Final Answer**\n\\[ \\boxed{{{ans}}} \\]"
        if style == 4:
            return f"<think>\n{r}\n</think>\nThe answer is $\\boxed{{{ans}}}$.<|im_end|>"
        if style == 5:
            return f"<think>\n{r}\n</think>\n\nThus,\n$$\\boxed{{{ans}}}$$"
        return f"{r}\nHence the result is \\(\\boxed{{{ans}}}\\)."

    def phrase(ans: str, k: int) -> str:
        """No box: a final-answer phrase."""
        r = REASONS[k % len(REASONS)]
        style = k % 4
        if style == 0:
            return f"<think>{r}</think>\nThe answer is ${ans}$."
        if style == 1:
            return f"{r}\n\nFinal Answer: The final answer is ${ans}$. I hope it is correct."
        if style == 2:
            return f"<think>\n{r}\n</think>\n\n**Answer:** ${ans}$"
        return f"<think>\n{r}\n</think>\n\nFinal Answer: ${ans}$"

    RAW: list[tuple[str, str, str, str]] = []  # (category, answer-or-completion, gold, expected)

    def add(cat: str, ans: str, gold: str, exp: str) -> None:
        RAW.append((cat, ans, gold, exp))

    # --- integers -------------------------------------------------------------------------------
    for ans, gold, exp in [
        ("1,000,000", "1000000", C),
        ("1\\,000\\,000", "1000000", C),
        ("1 000 000", "1000000", C),
        ("12{,}345", "12345", C),
        ("12,354", "12345", W),
        ("1,000", "1001", W),
        ("7", "-7", W),
        ("+7", "7", C),
        ("1234", "1,234", C),
        ("10^4", "10000", C),
        ("5.0", "5", C),
        ("5.00", "5", C),
        ("\\text{3}", "3", C),
        ("36^\\circ", "36", C),
        ("10^6", "1,000,000", C),
        ("1000", "999", W),
        ("25 \\text{ cm}", "25", C),
        ("2{,}024", "2024", C),
        ("\\mathbf{42}", "42", C),
        ("-0", "0", C),
        ("\\$1{,}250", "1250", C),
        ("1,250.50", "1250.5", C),
        ("1\\,250", "125", W),
        ("\\left( 12 \\right)", "12", C),
    ]:
        add("integers", ans, gold, exp)

    # --- decimals, fractions, percentages, mixed numbers ----------------------------------------
    for ans, gold, exp in [
        ("0.5", "\\frac{1}{2}", C),
        ("\\dfrac{1}{2}", "0.5", C),
        ("\\tfrac34", "\\frac{3}{4}", C),
        ("0.75", "\\frac{3}{4}", C),
        ("\\frac{4}{3}", "\\frac{3}{4}", W),
        ("0.67", "\\frac{2}{3}", W),
        ("0.\\overline{6}", "\\frac{2}{3}", C),
        ("\\frac{2}{6}", "\\frac{1}{3}", C),
        ("\\frac{-1}{2}", "-\\frac{1}{2}", C),
        ("-\\frac12", "-\\frac{1}{2}", C),
        ("\\frac{1}{2}", "-\\frac{1}{2}", W),
        ("\\frac{5}{2}", "2\\frac{1}{2}", C),
        ("2.5", "2\\frac{1}{2}", C),
        ("2\\frac{1}{3}", "2\\frac{1}{2}", W),
        ("3 \\frac{1}{4}", "3\\frac{1}{4}", C),
        ("3\\tfrac{1}{4}", "\\frac{13}{4}", C),
        ("25\\%", "25\\%", C),
        ("0.25", "25\\%", C),
        ("25", "25\\%", C),
        ("20\\%", "25\\%", W),
        ("\\frac{1}{8}", "12.5\\%", C),
        ("\\frac18", "0.125", C),
        ("4\\%", "0.04", C),
        ("\\frac{5}{4}", "1.25", C),
        ("1.50", "1.5", C),
        (".2", "0.2", C),
        ("0.02", "0.2", W),
        ("3.5", "\\frac{7}{2}", C),
        ("7/2", "\\frac{7}{2}", C),
        ("\\pi", "\\frac{22}{7}", W),
        ("\\$18.90", "\\$18.90", C),
        ("18.9", "\\$18.90", C),
        ("3\\frac{3}{4}", "3.75", C),
        ("\\frac{1}{3}", "0.3", W),
        ("45\\frac{1}{2}", "45.5", C),
        ("0.254", "0.25", W),
        ("0.54", "0.5", W),
        ("\\frac{3}{5}", "60\\%", C),
        ("60", "60\\%", C),
        ("6\\%", "60\\%", W),
        ("\\frac{9}{10}", "0.9", C),
        ("1\\frac{1}{5}", "1.2", C),
        ("-2\\frac{1}{2}", "-\\frac{5}{2}", C),
        ("\\frac{100}{3}\\%", "33.33\\%", C),
        ("33.3\\%", "33.33\\%", W),
    ]:
        add("fractions", ans, gold, exp)

    # --- scientific notation ---------------------------------------------------------------------
    for ans, gold, exp in [
        ("300000000", "3\\times 10^{8}", C),
        ("3 \\cdot 10^{8}", "3\\times10^8", C),
        ("3e8", "300000000", C),
        ("0.0015", "1.5\\times 10^{-3}", C),
        ("1.5\\times10^{3}", "1.5 \\times 10^{-3}", W),
        ("6.022 \\times 10^{23}", "6.02\\times10^{23}", C),
        ("6.2\\times10^{23}", "6.02\\times10^{23}", W),
        ("2.5E-4", "2.5 \\times 10^{-4}", C),
        ("420{,}000", "4.2\\times 10^{5}", C),
        ("42\\times10^{4}", "4.2\\times10^5", C),
        ("0.000001", "10^{-6}", C),
        ("0.00001", "10^{-6}", W),
        ("1000", "1.0 \\times 10^{3}", C),
        ("9.11 \\times 10^{-31}", "9.11\\times10^{-31}", C),
        ("9.11 \\times 10^{-30}", "9.11\\times10^{-31}", W),
        ("1.2 \\times 10^{4}", "12000", C),
    ]:
        add("scientific", ans, gold, exp)

    # --- radicals and pi -------------------------------------------------------------------------
    for ans, gold, exp in [
        ("\\sqrt{12}", "2\\sqrt{3}", C),
        ("\\sqrt{3}\\cdot 2", "2\\sqrt{3}", C),
        ("3\\sqrt{2}", "2\\sqrt{3}", W),
        ("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}", C),
        ("\\frac{1}{\\sqrt3}", "\\frac{\\sqrt{3}}{3}", C),
        ("2^{1/3}", "\\sqrt[3]{2}", C),
        ("\\sqrt{2}", "\\sqrt[3]{2}", W),
        ("4 \\pi", "4\\pi", C),
        ("\\pi \\cdot 4", "4\\pi", C),
        ("12.566", "4\\pi", W),
        ("\\dfrac{\\pi}{6}", "\\frac{\\pi}{6}", C),
        ("30^\\circ", "\\frac{\\pi}{6}", C),
        ("\\frac{\\pi}{6}", "\\frac{\\pi}{3}", W),
        ("(1+\\sqrt2)^2", "3+2\\sqrt{2}", C),
        ("1+\\sqrt{2}", "\\sqrt{2}+1", C),
        ("\\sqrt{2}-1", "\\sqrt{2}+1", W),
        ("\\sqrt{2}+1", "\\frac{1}{\\sqrt{2}-1}", C),
        ("9\\pi \\text{ cm}^2", "9\\pi", C),
        ("36\\pi\\ \\text{cm}^3", "36\\pi", C),
        ("\\frac{4\\pi}{3}", "\\frac{4}{3}\\pi", C),
        ("360^\\circ", "2\\pi", C),
        ("\\sqrt{125}", "5\\sqrt{5}", C),
        ("5\\sqrt2", "\\sqrt{50}", C),
        ("\\frac{3}{2}\\sqrt{3}", "\\frac{3\\sqrt{3}}{2}", C),
        ("\\frac{3\\sqrt{3}}{4}", "\\frac{3\\sqrt{3}}{2}", W),
        ("3^{\\frac{1}{2}}", "\\sqrt{3}", C),
        ("\\sqrt[3]{16}", "2\\sqrt[3]{2}", C),
        ("2\\sqrt[3]{3}", "2\\sqrt[3]{2}", W),
        ("\\frac{\\sqrt{6}}{2}", "\\sqrt{\\frac{3}{2}}", C),
        ("2 - \\sqrt{3}", "\\frac{1}{2+\\sqrt{3}}", C),
    ]:
        add("radicals", ans, gold, exp)

    # --- algebraic expressions -------------------------------------------------------------------
    for ans, gold, exp in [
        ("(x+1)^2", "x^2+2x+1", C),
        ("(x-1)^2", "(x+1)^2", W),
        ("3+2x", "2x+3", C),
        ("\\frac{x-1}{x+1}", "\\frac{x+1}{x-1}", W),
        ("(x-1)(x+1)", "x^2-1", C),
        ("x^{-1}", "\\frac{1}{x}", C),
        ("x", "|x|", W),
        ("3x(x-2)", "3x^2 - 6x", C),
        ("b^2+a^2", "a^2+b^2", C),
        ("\\frac{n^2+n}{2}", "\\frac{n(n+1)}{2}", C),
        ("\\frac{n(n-1)}{2}", "\\frac{n(n+1)}{2}", W),
        ("2^n - 1", "2^{n}-1", C),
        ("2^{n-1}", "2^{n}-1", W),
        ("1-\\cos^2 x", "\\sin^2 x", C),
        ("\\ln 2 + \\ln 3", "\\ln 6", C),
        ("\\log_2 8", "3", C),
        ("(e^x)^2", "e^{2x}", C),
        ("\\frac{1}{3}x^3 + C", "\\frac{x^3}{3} + C", C),
        ("2\\cos 2x", "2\\cos(2x)", C),
        ("\\sin x", "-\\sin x", W),
        ("120", "\\binom{10}{3}", C),
        ("120", "5!", C),
        ("\\frac{a}{2}+\\frac{b}{2}", "\\frac{a+b}{2}", C),
        ("2(2n+1)", "4n+2", C),
        ("4n+1", "4n+2", W),
        ("x - 2", "2 - x", W),
        ("-(x-2)", "2 - x", C),
        ("\\dfrac{2x}{x^2-1}", "\\frac{1}{x-1}+\\frac{1}{x+1}", C),
        ("\\frac{1}{x-1}-\\frac{1}{x+1}", "\\frac{2x}{x^2-1}", W),
        ("\\left(a+b\\right)\\left(a-b\\right)", "a^2-b^2", C),
    ]:
        add("expressions", ans, gold, exp)

    # --- equations -------------------------------------------------------------------------------
    for ans, gold, exp in [
        ("x=3", "3", C),
        ("3", "x=3", C),
        ("x=-3", "x = 3", W),
        ("2x+1-y=0", "y=2x+1", C),
        ("y = 2x - 1", "y=2x+1", W),
        ("x + 2y = 8", "y = -\\frac{1}{2}x + 4", C),
        ("x + 2y = 4", "y = -\\frac{1}{2}x + 4", W),
        ("x^2 + y^2 = 5^2", "x^2+y^2=25", C),
        ("(x-1)^2+(y-2)^2=9", "(x-1)^2+(y+2)^2=9", W),
        ("y=2x+1", "2x+1", C),
        ("x = 2.0", "x=2", C),
        ("x^2 - 4 = 0", "2", W),
        ("3x", "y = 3x", C),
        ("3x^2+4y^2=12", "\\frac{x^2}{4}+\\frac{y^2}{3}=1", C),
        ("a = 4", "4", C),
        ("a = 5", "4", W),
        ("f(x) = x^2 + 1", "x^2+1", C),
        ("y = -x + 5", "x + y = 5", C),
        ("y = x + 5", "x + y = 5", W),
    ]:
        add("equations", ans, gold, exp)

    # --- lists of roots / several solutions ------------------------------------------------------
    for ans, gold, exp in [
        ("x=2 \\text{ or } x=3", "2, 3", C),
        ("2 \\text{ and } 3", "2, 3", C),
        ("3, 2", "2,3", C),
        ("2", "2, 3", W),
        ("2, 3, 4", "2, 3", W),
        ("x = 2, x = 3", "x=2 \\text{ or } x=3", C),
        ("\\pm 1", "-1, 1", C),
        ("2, -2", "\\pm 2", C),
        ("2", "\\pm 2", W),
        ("1+\\sqrt2, 1-\\sqrt2", "1 \\pm \\sqrt{2}", C),
        ("x = 2 \\text{ or } x = 3", "3", W),
        ("-1, 3", "-1, -3", W),
        ("x_1 = 1, x_2 = 4", "1, 4", C),
    ]:
        add("root lists", ans, gold, exp)

    # --- sets vs tuples --------------------------------------------------------------------------
    for ans, gold, exp in [
        ("\\{3, 2, 1\\}", "\\{1, 2, 3\\}", C),
        ("\\{1,2\\}", "\\{1,2,3\\}", W),
        ("(2, 1)", "(1, 2)", W),
        ("\\left( 1, 2 \\right)", "(1,2)", C),
        ("(3,4)", "(3, -4)", W),
        ("(0.5, 3)", "(\\frac{1}{2}, 3)", C),
        ("\\langle 1, 2, 3\\rangle", "(1,2,3)", C),
        ("-1, 4", "\\{-1, 4\\}", C),
        ("4, -1", "\\{-1, 4\\}", C),
        ("\\{2, 3\\}", "(2, 3)", W),
        ("\\{(3,4),(1,2)\\}", "\\{(1,2), (3,4)\\}", C),
        ("\\{(2,1),(3,4)\\}", "\\{(1,2),(3,4)\\}", W),
        ("\\varnothing", "\\emptyset", C),
        ("(-\\infty, \\infty)", "\\mathbb{R}", C),
        ("(0,0)", "(0, 0)", C),
        ("(1,-1,-2)", "(1, -1, 2)", W),
        ("\\left(\\frac{3}{2}, -\\frac{1}{2}\\right)", "(1.5, -0.5)", C),
        ("(2, 3)", "(3, 2)", W),
        ("\\{1, 2, 2, 3\\}", "\\{1, 2, 3\\}", C),
    ]:
        add("sets tuples", ans, gold, exp)

    # --- intervals -------------------------------------------------------------------------------
    for ans, gold, exp in [
        ("[2,3)", "[2, 3)", C),
        ("(2, 3)", "[2, 3)", W),
        ("[2,3]", "[2, 3)", W),
        ("(-\\infty,1]", "(-\\infty, 1]", C),
        ("x \\le 1", "(-\\infty, 1]", C),
        ("x < 1", "(-\\infty, 1]", W),
        ("(3,\\infty)\\cup(-\\infty,-2)", "(-\\infty, -2) \\cup (3, \\infty)", C),
        ("(-\\infty,-2]\\cup(3,\\infty)", "(-\\infty, -2) \\cup (3, \\infty)", W),
        ("[0, +\\infty)", "[0, \\infty)", C),
        ("x \\geq 0", "[0,\\infty)", C),
        ("\\left(1, 5\\right]", "(1, 5]", C),
        ("-3 < x < 3", "(-3, 3)", C),
        ("[-1,1)", "[-1, 1]", W),
        ("\\left[-2, \\frac{1}{2}\\right]", "[-2, 0.5]", C),
        ("(-\\infty, 0) \\cup (0, \\infty)", "(-\\infty,0)\\cup(0,\\infty)", C),
        ("(-\\infty, 0] \\cup [0, \\infty)", "(-\\infty,0)\\cup(0,\\infty)", W),
    ]:
        add("intervals", ans, gold, exp)

    # --- complex numbers -------------------------------------------------------------------------
    for ans, gold, exp in [
        ("4i+3", "3+4i", C),
        ("3-4i", "3+4i", W),
        ("\\sqrt{2}e^{i\\pi/4}", "1+i", C),
        ("\\sqrt2\\left(\\cos\\frac{\\pi}{4}+i\\sin\\frac{\\pi}{4}\\right)", "1+i", C),
        ("2i", "2i", C),
        ("-2i", "2i", W),
        ("i^2", "-1", C),
        ("e^{i\\pi/3}", "\\frac{1}{2}+\\frac{\\sqrt{3}}{2}i", C),
        ("\\frac{1+i\\sqrt{3}}{2}", "\\frac{1}{2} + \\frac{\\sqrt3}{2} i", C),
        ("(3-2i)^2", "5 - 12i", C),
        ("2 + i", "2 - i", W),
        ("i, -i", "\\pm i", C),
        ("-2+3i", "-2+3i", C),
        ("\\frac{3}{5} - \\frac{4}{5}i", "\\frac{3-4i}{5}", C),
        ("\\frac{3}{5} + \\frac{4}{5}i", "\\frac{3-4i}{5}", W),
        ("2\\,\\text{cis}\\,60^\\circ", "1+\\sqrt{3}i", C),
    ]:
        add("complex", ans, gold, exp)

    # --- matrices and vectors --------------------------------------------------------------------
    M = "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}"
    for ans, gold, exp in [
        ("\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", M, C),
        ("\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}", M, W),
        ("\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}", M, W),
        ("(2, -1)", "\\begin{pmatrix} 2 \\\\ -1 \\end{pmatrix}", C),
        (
            "\\begin{pmatrix} -1 \\\\ 2 \\end{pmatrix}",
            "\\begin{pmatrix} 2 \\\\ -1 \\end{pmatrix}",
            W,
        ),
        (
            "\\begin{pmatrix}0.5&0\\\\0&1\\end{pmatrix}",
            "\\begin{pmatrix} \\frac{1}{2} & 0 \\\\ 0 & 1\\end{pmatrix}",
            C,
        ),
        (
            "\\begin{pmatrix}1&0&0\\\\0&1&0\\end{pmatrix}",
            "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
            W,
        ),
        ("\\left(-3, 2, 1\\right)", "\\begin{pmatrix}-3\\\\2\\\\1\\end{pmatrix}", C),
        ("\\langle -3,2,1\\rangle", "\\begin{pmatrix}-3\\\\2\\\\1\\end{pmatrix}", C),
        ("\\langle 3,2,1\\rangle", "\\begin{pmatrix}-3\\\\2\\\\1\\end{pmatrix}", W),
        (
            "\\left[\\begin{array}{cc}2&1\\\\1&2\\end{array}\\right]",
            "\\begin{pmatrix} 2 & 1 \\\\ 1 & 2\\end{pmatrix}",
            C,
        ),
        (
            "\\begin{pmatrix} \\frac{\\sqrt{2}}{2} & -\\frac{\\sqrt{2}}{2} \\\\ \\frac{1}{\\sqrt2} & \\frac{1}{\\sqrt2} \\end{pmatrix}",
            "\\begin{pmatrix} \\frac{1}{\\sqrt{2}} & -\\frac{1}{\\sqrt{2}} \\\\ \\frac{\\sqrt2}{2} & \\frac{\\sqrt2}{2} \\end{pmatrix}",
            C,
        ),
        ("\\begin{pmatrix} 2 & 4 \\\\ 6 & 8 \\end{pmatrix}", "2" + M, C),
    ]:
        add("matrices", ans, gold, exp)

    # --- inequalities ----------------------------------------------------------------------------
    for ans, gold, exp in [
        ("3 < x", "x > 3", C),
        ("x \\geq 3", "x>3", W),
        ("[3, \\infty)", "x \\ge 3", C),
        ("x \\leq -1", "x \\le -1", C),
        ("x \\ne 2", "x\\neq 2", C),
        ("(-2, 5)", "-2 < x < 5", C),
        ("-2 \\le x < 5", "-2<x<5", W),
        ("x>0", "x<0", W),
        ("a\\ge 2", "a \\geq 2", C),
        ("y - 2x > 1", "y > 2x + 1", C),
        ("(-\\infty, -3) \\cup (3, \\infty)", "x < -3 \\text{ or } x > 3", C),
        ("x \\geq \\frac{1}{2}", "x \\ge 0.5", C),
        ("x > -\\frac{1}{2}", "x \\ge -\\frac{1}{2}", W),
    ]:
        add("inequalities", ans, gold, exp)

    # --- text answers and units ------------------------------------------------------------------
    for ans, gold, exp in [
        ("\\text{Evelyn}", "\\text{Evelyn}", C),
        ("Evelyn", "\\text{Evelyn}", C),
        ("\\text{Ethan}", "\\text{Evelyn}", W),
        ("\\text{Yes}", "\\text{yes}", C),
        ("\\text{No}", "\\text{yes}", W),
        ("240 \\text{ minutes}", "4 \\text{ hours}", C),
        ("4\\text{ minutes}", "4 hours", W),
        ("200 \\text{ cm}", "2 \\text{ m}", C),
        ("2\\text{ cm}", "2 m", W),
        ("10", "10 \\text{ cm}", C),
        ("10\\text{ cm}", "10", C),
        ("1500 \\text{ g}", "1.5 \\text{ kg}", C),
        ("\\frac{\\pi}{2}", "90^\\circ", C),
        ("90^{\\circ}", "\\frac{\\pi}{2}", C),
        ("45^\\circ", "\\frac{\\pi}{2}", W),
        ("60", "60^\\circ", C),
        ("60^\\circ", "60", C),
        ("\\$25.00", "\\$25", C),
        ("25 \\text{ dollars}", "25", C),
        ("\\text{even}", "\\text{odd}", W),
        ("\\text{Odd}", "\\text{odd}", C),
        ("12\\,\\text{cm}^2", "12 \\text{ cm}^2", C),
        ("180 \\text{ min}", "3 \\text{ hours}", C),
        ("5000 \\text{ m}", "5 \\text{ km}", C),
        ("50 \\text{ m}", "5 \\text{ km}", W),
        ("1000 \\text{ mL}", "1 \\text{ L}", C),
        ("\\text{(C) } \\text{Tuesday}", "\\text{Tuesday}", C),
        ("\\textbf{Tuesday}", "\\text{Tuesday}", C),
        ("\\text{Wednesday}", "\\text{Tuesday}", W),
        ("72 \\text{ km/h}", "72", C),
        ("30\\text{ seconds}", "\\frac{1}{2} \\text{ minute}", C),
        ("\\frac{\\pi}{4} \\text{ radians}", "45^\\circ", C),
    ]:
        add("text units", ans, gold, exp)

    # --- multiple choice -------------------------------------------------------------------------
    for ans, gold, exp in [
        ("B", "B", C),
        ("b", "B", C),
        ("(B)", "B", C),
        ("\\text{(B)}", "B", C),
        ("\\textbf{(B)}", "B", C),
        ("B) 42", "B", C),
        ("\\text{B}", "B", C),
        ("C", "B", W),
        ("B, C", "B", W),
        ("B \\text{ and } C", "B", W),
        ("BC", "B", W),
        ("C", "(C)", C),
        ("(E) \\ 16", "E", C),
        ("C, A", "A, C", C),
        ("A", "A, C", W),
        ("\\text{B or C}", "B", W),
        ("\\mathrm{(D)}", "D", C),
        ("\\textbf{(A) } 5", "A", C),
    ]:
        add("multiple choice", ans, gold, exp)

    # --- rounding policy -------------------------------------------------------------------------
    for ans, gold, exp in [
        ("0.333", "\\frac{1}{3}", W),
        ("1.414", "\\sqrt{2}", W),
        ("2.718", "e", W),
        ("3.14", "\\pi", W),
        ("\\frac13", "0.33", C),
        ("0.333", "0.33", C),
        ("0.3", "0.33", W),
        ("0.667", "0.67", C),
        ("0.66", "0.67", W),
        ("\\sqrt{3}", "1.73", C),
        ("1.7", "1.73", W),
        ("\\sqrt5", "2.24", C),
        ("10\\sqrt{2}", "14.14", C),
        ("14.1", "14.14", W),
        ("3.14159", "3.14", C),
        ("\\frac{1}{12}", "0.0833", C),
        ("0.0833", "\\frac{1}{12}", W),
        ("4\\pi", "12.57", C),
        ("12.566", "12.57", C),
        ("12.56", "12.57", W),
        ("e", "2.72", C),
        ("\\sqrt{2}", "1.41", C),
        ("5\\sqrt{2}", "7.07", C),
        ("7.1", "7.07", W),
        ("\\frac16", "0.1667", C),
        ("0.1667", "\\frac{1}{6}", W),
        ("\\frac{\\sqrt3}{2}", "0.86", W),
        ("\\frac{\\sqrt3}{2}", "0.87", C),
        ("\\frac{22}{7}", "3.14", C),  # policy: an exact value that rounds to the gold
        ("3.1415", "\\pi", W),
    ]:
        add("rounding", ans, gold, exp)

    # --- huge and tiny exact values --------------------------------------------------------------
    for ans, gold, exp in [
        ("1267650600228229401496703205376", "2^{100}", C),
        ("2^{100}+1", "2^{100}", W),
        ("1267650600228229401496703205377", "1267650600228229401496703205376", W),
        ("0", "10^{-20}", W),
        ("1\\times10^{-20}", "10^{-20}", C),
        ("717897987691852588770249", "3^{50}", C),
        ("717897987691852588770248", "3^{50}", W),
        ("100!", "100!", C),
        ("99!", "100!", W),
        ("2^{-64}", "\\frac{1}{2^{64}}", C),
        ("18446744073709551616", "2^{64}", C),
        ("18446744073709551615", "2^{64}", W),
        ("1", "1.0000000001", W),
        ("10^{100}", "10^{100}", C),
        ("10^{100} - 1", "10^{100}", W),
        ("\\frac{1}{10^{30}}", "10^{-30}", C),
        ("2^{100}", "4^{50}", C),
    ]:
        add("huge tiny", ans, gold, exp)

    # --- sign, off-by-one, brackets --------------------------------------------------------------
    for ans, gold, exp in [
        ("3", "-3", W),
        ("\\frac{3}{2}", "-\\frac{3}{2}", W),
        ("n", "n+1", W),
        ("16", "15", W),
        ("[0,1]", "(0,1)", W),
        ("-\\sqrt{2}", "\\sqrt{2}", W),
        ("-5", "5", W),
        ("2^{10}", "2^{11}", W),
        ("(1, 2]", "[1, 2]", W),
        ("-\\frac{\\pi}{4}", "\\frac{\\pi}{4}", W),
        ("e^{-x}", "e^{x}", W),
    ]:
        add("sign offbyone", ans, gold, exp)

    # Expand answer-only cases into completions.
    CASES: list[tuple[str, str, str, str]] = []
    for k, (cat, ans, gold, exp) in enumerate(RAW):
        CASES.append((cat, wrap(ans, k), gold, exp))

    # A slice of simple ones also as phrase answers (no box).
    for k, (cat, ans, gold, exp) in enumerate(RAW):
        if k % 6 == 0 and cat not in ("matrices",):
            CASES.append((cat + " (phrase)", phrase(ans, k), gold, exp))

    R = REASONS

    # --- hedging and extraction edge cases -------------------------------------------------------
    FULL = [
        ("hedging", f"<think>{R[0]}</think>\nIt is $\\boxed{{5}}$ or $\\boxed{{6}}$.", "5", W),
        ("hedging", f"<think>\n{R[1]}\n</think>\n\n\\boxed{{5}}", "5", C),
        ("hedging", f"<think>{R[0]}</think>\nSo $\\boxed{{5}}$, i.e. $\\boxed{{5.0}}$.", "5", C),
        ("hedging", f"<think>{R[2]}</think>\nThe answer is 5 or 6.", "5", W),
        ("hedging", f"<think>{R[2]}</think>\nThe answer is either $4$, $5$, or $6$.", "5", W),
        (
            "hedging",
            f"<think>{R[3]}</think>\n$\\boxed{{0.5}}$, that is $\\boxed{{\\frac12}}$.",
            "1/2",
            C,
        ),
        (
            "hedging",
            f"<think>{R[3]}</think>\nThe roots are $\\boxed{{-3}}$ and $\\boxed{{5}}$.",
            "-3, 5",
            C,
        ),
        (
            "hedging",
            f"<think>{R[3]}</think>\nThe roots are $\\boxed{{5}}$ and $\\boxed{{-3}}$.",
            "5",
            W,
        ),
        ("hedging", f"<think>{R[0]}</think>\n\\boxed{{5 \\text{{ or }} -3}}", "5", W),
        (
            "hedging",
            f"{R[0]}\nI get \\boxed{{4}}.\n\nWait, let me recheck. Actually \\boxed{{5}}.",
            "5",
            W,
        ),
        ("hedging", f"<think>{R[0]}</think>\n\\boxed{{3}}\n\nAlternatively, \\boxed{{4}}.", "4", W),
        ("hedging", f"<think>{R[0]}</think>\nThe answer is \\boxed{{A}} or \\boxed{{C}}.", "C", W),
        ("hedging", f"<think>{R[1]}</think>\nAnswer: $\\boxed{{12}}$ (maybe $13$).", "12", C),
        # extraction
        ("extraction", f"<think>{R[0]}\nthe answer is 5", "5", N),
        ("extraction", f"<think>{R[0]} so \\boxed{{5}}</think>", "5", N),
        ("extraction", "I computed several values like 3 and 7 and then 5 came up.", "5", N),
        (
            "extraction",
            f"<think>{R[0]}</think>\nThe final answer is $\\boxed{{\\dfrac{{7}}{{3}}}}$",
            "7/3",
            C,
        ),
        ("extraction", f"<think>{R[0]}</think>\n**Final Answer:** 42", "42", C),
        (
            "extraction",
            f"{R[2]}\nFinal Answer: The final answer is 42. I hope it is correct.",
            "42",
            C,
        ),
        ("extraction", f"<think>{R[1]}</think>\nThus $x = \\frac{{3}}{{2}}$.", "\\frac{3}{2}", C),
        (
            "extraction",
            f"<think>{R[1]}</think>\nThe answer is $\\left[-1, 2\\right)$.",
            "[-1,2)",
            C,
        ),
        ("extraction", f"<think>{R[1]}</think>\nSo the perimeter is $24\\text{{ cm}}$.", "24", C),
        ("extraction", f"<think>{R[1]}</think>\nThe answer is **(B)**.", "B", C),
        ("extraction", f"<think>{R[1]}</think>\nAnswer: (D)", "D", C),
        (
            "extraction",
            f"<think>{R[1]}</think>\nThe correct option is \\boxed{{\\text{{(D)}}\\ 7}}.",
            "D",
            C,
        ),
        ("extraction", f"<think>{R[0]}</think>\n\\fbox{{17}}", "17", C),
        ("extraction", f"<think>{R[0]}</think>\n\\boxed 9", "9", C),
        (
            "extraction",
            f"<think>{R[0]}</think>\nThe answer is $\\boxed{{\\{{1, 2\\}}}}$.",
            "\\{1,2\\}",
            C,
        ),
        (
            "extraction",
            f"<think>{R[0]}</think>\n\\[\\boxed{{\\begin{{pmatrix}} 1 \\\\ 0 \\end{{pmatrix}}}}\\]",
            "(1,0)",
            C,
        ),
        (
            "extraction",
            f"<think>{R[0]}</think>\nThe answer is $\\boxed{{4}}$.<|im_end|>\n<|im_start|>user\n\\boxed{{5}}",
            "4",
            C,
        ),
        ("extraction", f"<think>{R[0]}</think>\nThe answer is \\$18.50.", "18.5", C),
        (
            "extraction",
            f"<think>{R[0]}</think>\nTherefore $x \\ge 5$ is the solution.",
            "[5, \\infty)",
            C,
        ),
        ("extraction", f"<think>{R[0]}</think>\nThe answer is: 2 and 3.", "2, 3", C),
        ("extraction", f"<think>{R[0]}</think>\nThe answer is $x=2$ or $x=3$.", "2,3", C),
        (
            "extraction",
            f"<think>{R[0]}</think>\nFinal Answer: $\\boxed{{-\\frac{{1}}{{4}}}}$",
            "-0.25",
            C,
        ),
        # invalid gold
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "", INV),
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "   ", INV),
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "\\boxed{}", INV),
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "\\frac{1}{", INV),
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "$$", INV),
        ("invalid gold", f"<think>{R[0]}</think>\nno idea", "", INV),
        # timeouts
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{9^{{9^{{9^9}}}}}}", "5", T),
        (
            "timeout",
            f"<think>{R[0]}</think>\n\\boxed{{" + "(" * 120 + "1" + ")" * 120 + "}",
            "1",
            T,
        ),
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{100000!}}", "5", T),
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{2^{{2^{{2^{{2^{{2^{{2}}}}}}}}}}}}", "5", T),
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{" + "1+" * 300000 + "1}", "5", T),
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{10^{{10^{{10}}}}}}", "5", T),
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{x^{{999999999}} - 1}}", "x-1", T),
    ]
    CASES.extend(FULL)

    # ============================================================================================
    # Second, harder batch: traps for false accepts and trickier realistic forms.
    RAW2: list[tuple[str, str, str, str]] = []

    def add2(cat: str, ans: str, gold: str, exp: str) -> None:
        RAW2.append((cat, ans, gold, exp))

    for cat, ans, gold, exp in [
        ("integers", "5x", "5", W),
        ("integers", "5!", "5", W),
        ("integers", "1,2,3", "123", W),
        ("integers", "123", "1, 2, 3", W),
        ("integers", "12,34", "1234", W),
        ("integers", "2^3", "8", C),
        ("integers", "2^{10}", "1024", C),
        ("integers", "1000000", "1000001", W),
        ("integers", "- 1", "-1", C),
        ("integers", "\\infty", "\\infty", C),
        ("integers", "-\\infty", "\\infty", W),
        ("fractions", "10\\%", "10", C),
        ("fractions", "10\\%", "0.1", C),
        ("fractions", "1\\%", "0.1", W),
        ("fractions", "0.5\\%", "50\\%", W),
        ("fractions", "0.5", "5\\%", W),
        ("fractions", "0.2", "20", W),
        ("fractions", "3,5", "3.5", C),
        ("fractions", "\\$1.05", "\\$1.50", W),
        ("fractions", "0.\\overline{9}", "1", C),
        ("fractions", "0.1\\overline{6}", "\\frac{1}{6}", C),
        ("fractions", "0.\\overline{3}", "\\frac{1}{6}", W),
        ("fractions", "\\frac{1}{2}x", "\\frac{1}{2}", W),
        ("rounding", "0.3333333333333333", "\\frac{1}{3}", W),
        ("rounding", "\\frac13", "0.3333", C),
        ("rounding", "1.9999999999", "2", W),
        ("rounding", "\\frac{1}{1000000}", "\\frac{1}{1000001}", W),
        ("rounding", "20", "e^{\\pi}-\\pi", W),
        ("rounding", "\\frac{355}{113}", "\\pi", W),
        ("rounding", "0.33", "\\frac{1}{3}", W),
        ("rounding", "33\\%", "\\frac{1}{3}", W),
        ("huge tiny", "10^{20}", "\\sqrt{10^{40}+1}", W),
        ("huge tiny", "10^{10}", "\\sqrt{10^{20}+1}", W),
        ("huge tiny", "2^{1000}-1", "2^{1000}", W),
        ("huge tiny", "4^{500}", "2^{1000}", C),
        ("huge tiny", "0", "10^{-100}", W),
        ("huge tiny", "10^{-99}", "10^{-100}", W),
        ("huge tiny", "\\frac{1}{2^{200}}", "2^{-200}", C),
        ("huge tiny", "1+10^{-50}", "1", W),
        ("expressions", "|x|^2", "x^2", C),
        ("expressions", "x", "\\sqrt{x^2}", W),
        ("expressions", "|x|", "\\sqrt{x^2}", C),
        ("expressions", "x+1", "\\frac{x^2-1}{x-1}", C),
        ("expressions", "2\\sin x\\cos x", "\\sin(2x)", C),
        ("expressions", "\\frac{\\sin x}{\\cos x}", "\\tan x", C),
        ("expressions", "\\frac{\\pi}{4}", "\\arctan 1", C),
        ("expressions", "\\tan^{-1}(1)", "\\frac{\\pi}{4}", C),
        ("expressions", "yx^2", "x^{2}y", C),
        ("expressions", "xy^2", "x^{2}y", W),
        ("expressions", "ba", "ab", C),
        ("expressions", "\\frac{b}{a}", "\\frac{a}{b}", W),
        ("expressions", "2\\cdot 2^x", "2^{x+1}", C),
        ("expressions", "\\frac{\\ln x}{\\ln 3}", "\\log_3 x", C),
        ("expressions", "\\sin^2 x + \\cos^2 x", "1", C),
        ("expressions", "2x + C", "2x", W),
        ("expressions", "\\ln |x| + C", "\\ln|x| + C", C),
        ("expressions", "x^3", "x^2", W),
        ("expressions", "\\frac{1}{2}\\left(x^2+1\\right)", "\\frac{x^2+1}{2}", C),
        ("expressions", "\\sqrt{x+1}", "\\sqrt{x}+1", W),
        ("complex", "-1", "e^{i\\pi}", C),
        ("complex", "\\sqrt{-1}", "i", C),
        ("complex", "i^4", "1", C),
        ("complex", "i^3", "1", W),
        ("complex", "5", "|3+4i|", C),
        ("complex", "\\sqrt3 + i", "2e^{i\\pi/6}", C),
        ("complex", "-1+2i, -1-2i", "-1 \\pm 2i", C),
        ("complex", "-1+2i", "-1 \\pm 2i", W),
        ("complex", "1 \\pm 2i", "-1 \\pm 2i", W),
        ("complex", "\\overline{3+4i}", "3-4i", C),
        ("equations", "y=5", "x=5", W),
        ("equations", "a=3, b=2", "a=2, b=3", W),
        ("equations", "b=3, a=2", "a=2, b=3", C),
        ("equations", "(2,3)", "(a,b)=(2,3)", C),
        ("equations", "x", "y = x", C),
        ("equations", "y = \\frac{3}{4}x - 2", "3x - 4y = 8", C),
        ("equations", "y = \\frac{4}{3}x - 2", "3x - 4y = 8", W),
        ("equations", "x = 5, y = -1", "(5, -1)", C),
        ("equations", "x = -1, y = 5", "(5, -1)", W),
        ("inequalities", "[1,2]", "x \\in [1, 2]", C),
        ("inequalities", "1 \\le x \\le 2", "x \\in [1, 2]", C),
        ("inequalities", "(1, \\infty)", "\\{x \\mid x > 1\\}", C),
        ("inequalities", "a \\geq 0", "a > 0", W),
        ("inequalities", "(-\\infty,2)", "k < 2", C),
        ("inequalities", "x \\le 2", "k < 2", W),
        ("inequalities", "x < 2", "x > 2", W),
        ("inequalities", "x \\in (-\\infty, 2)", "x < 2", C),
        ("sets tuples", "\\{1, 2\\}", "\\{1, 2, 2\\}", C),
        ("sets tuples", "\\{1, 3\\}", "\\{1, 2\\}", W),
        ("sets tuples", "(1, 2), (3, 4)", "(3,4), (1,2)", C),
        ("sets tuples", "(1, 2), (4, 3)", "(3,4), (1,2)", W),
        ("sets tuples", "\\text{no solution}", "\\text{No solution}", C),
        ("sets tuples", "\\emptyset", "\\{0\\}", W),
        ("sets tuples", "(-1, 2]", "(-1, 2)", W),
        (
            "matrices",
            "\\begin{pmatrix} 1 & 0 \\\\ 0 & -1\\end{pmatrix}",
            "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1\\end{pmatrix}",
            W,
        ),
        ("matrices", "\\begin{pmatrix}1\\\\2\\\\3\\end{pmatrix}", "(1,2,3)", C),
        ("matrices", "\\begin{pmatrix}1\\\\2\\\\4\\end{pmatrix}", "(1,2,3)", W),
        (
            "matrices",
            "\\begin{bmatrix} -1 & 2 \\\\ 0 & 1 \\end{bmatrix}",
            "\\begin{bmatrix} -1 & 2 \\\\ 0 & 1 \\end{bmatrix}",
            C,
        ),
        (
            "matrices",
            "\\begin{pmatrix} 2 & 0 \\\\ 0 & 2 \\end{pmatrix}",
            "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}",
            W,
        ),
        ("text units", "\\text{not blue}", "\\text{blue}", W),
        ("text units", "5 \\text{ m}", "5 \\text{ cm}", W),
        ("text units", "5 \\text{ kg}", "5 \\text{ cm}", W),
        ("text units", "45", "\\frac{\\pi}{4}", W),
        ("text units", "60", "\\frac{\\pi}{3}", W),
        ("text units", "30000 \\text{ cm}^2", "3 \\text{ m}^2", C),
        ("text units", "3 \\text{ cm}^2", "3 \\text{ m}^2", W),
        ("text units", "2 \\text{ hours}", "120 \\text{ minutes}", C),
        ("text units", "\\text{Monday}", "\\text{Tuesday}", W),
        ("text units", "\\text{John and Mary}", "\\text{Mary and John}", C),
        ("text units", "12 \\text{ apples}", "12", C),
        ("text units", "13 \\text{ apples}", "12", W),
        ("multiple choice", "\\text{C}", "C", C),
        ("multiple choice", "c", "C", C),
        ("multiple choice", "(C) \\text{ and } (D)", "C", W),
        ("multiple choice", "D. 12", "D", C),
        ("multiple choice", "A", "\\text{(A) } 12", C),
        ("multiple choice", "B", "\\text{(A) } 12", W),
        ("multiple choice", "E", "E", C),
        ("multiple choice", "A, B", "B", W),
        ("multiple choice", "\\textbf{(C)}\\ 3\\sqrt{2}", "C", C),
        ("multiple choice", "\\text{A}", "D", W),
        ("sign offbyone", "1-\\sqrt2", "\\sqrt{2}-1", W),
        ("sign offbyone", "-\\sqrt2+1", "1-\\sqrt{2}", C),
        ("sign offbyone", "(-\\infty, 3)", "(-\\infty, 3]", W),
        ("sign offbyone", "[1, 5]", "[1, 4]", W),
        ("sign offbyone", "n-1", "n", W),
        ("sign offbyone", "\\{-2, 3\\}", "\\{2, -3\\}", W),
    ]:
        add2(cat, ans, gold, exp)

    for k, (cat, ans, gold, exp) in enumerate(RAW2):
        CASES.append((cat, wrap(ans, k + 3), gold, exp))

    VEC = "1\\mathbf{i} + 2\\mathbf{j} + 3\\mathbf{k}"
    FULL2 = [
        ("matrices", f"<think>{R[0]}</think>\n$\\boxed{{{VEC}}}$", "(1,2,3)", C),
        (
            "matrices",
            f"<think>{R[0]}</think>\n$\\boxed{{\\begin{{vmatrix}}1&2\\\\3&4\\end{{vmatrix}}}}$",
            "-2",
            C,
        ),
        (
            "extraction",
            f"<think>{R[0]}</think>\nThe answer is $\\boxed{{5}}$. Note that 6 is not the answer.",
            "5",
            C,
        ),
        ("extraction", f"{R[2]}\n\n**Final Answer**\n\n$$x = 5$$", "5", C),
        ("extraction", f"<think>{R[0]}</think>\nSo $f(2) = \\boxed{{7}}$.", "7", C),
        ("extraction", f"<think>{R[0]}</think>\n\\boxed{{\\text{{The answer is }} 5}}", "5", C),
        ("extraction", f"<think>{R[0]}</think>\n\\boxed{{}}", "5", N),
        ("extraction", f"<think>{R[0]}</think>\n<answer>\n\\boxed{{5}}\n</answer>", "5", C),
        ("extraction", f"<think>{R[0]}</think>\n<answer>5</answer>", "5", C),
        ("extraction", f"<think>{R[0]}</think>\n<answer>6</answer>", "5", W),
        ("extraction", f"<think>{R[0]}</think>\n<answer>The answer is 12</answer>", "12", C),
        ("extraction", f"<think>{R[0]}</think>\nThe answer is $5$ apples.", "5", C),
        ("extraction", f"<think>{R[0]}</think>\nFinal answer: 5 cm", "5", C),
        ("extraction", f"<think>{R[0]}</think>\nTherefore, the answer is 5, 6 and 7.", "5,6,7", C),
        ("extraction", f"<think>{R[0]}</think>\nThe answer is $x = 2$ and $y = 3$.", "(2, 3)", C),
        ("extraction", f"<think>{R[1]}</think>\nThe answer is \\(\\frac{{7}}{{12}}\\).", "7/12", C),
        ("extraction", f"<think>{R[1]}</think>\nThe answer is \\(\\frac{{5}}{{12}}\\).", "7/12", W),
        ("extraction", f"<think>{R[1]}</think>\nThe answer is $-3$ or $3$.", "3", W),
        (
            "hedging",
            f"<think>{R[0]}</think>\n$\\boxed{{3}}$ (or equivalently $\\boxed{{\\frac{{6}}{{2}}}}$)",
            "3",
            C,
        ),
        ("hedging", f"<think>{R[0]}</think>\n$x = \\boxed{{2}}$ or $x = \\boxed{{-2}}$", "2", W),
        ("hedging", f"<think>{R[0]}</think>\n$\\boxed{{4, 5}}$", "4", W),
        ("hedging", f"<think>{R[0]}</think>\n$\\boxed{{4 \\text{{ or }} 5}}$", "4", W),
        (
            "hedging",
            f"<think>{R[0]}</think>\nIt could be $\\boxed{{A}}$ or possibly $\\boxed{{B}}$.",
            "B",
            W,
        ),
        ("hedging", f"<think>{R[0]}</think>\n(a) $\\boxed{{3}}$\n\n(b) $\\boxed{{5}}$", "5", W),
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "\\sqrt{", INV),
        ("invalid gold", f"<think>{R[0]}</think>\n\\boxed{{5}}", "\\boxed{ }", INV),
        (
            "timeout",
            f"<think>{R[0]}</think>\n\\boxed{{" + "\\sqrt{" * 80 + "2" + "}" * 80 + "}",
            "2",
            T,
        ),
        ("timeout", f"<think>{R[0]}</think>\n\\boxed{{(10^{{6}})!}}", "5", T),
        (
            "timeout",
            f"<think>{R[0]}</think>\nThe answer is " + "1" * 1_000_000,
            "5",
            N,
        ),  # policy: a phrase over 300 chars is no answer
        (
            "timeout",
            f"<think>{R[0]}</think>\n\\boxed{{" + "\\frac{1}{" * 60 + "2" + "}" * 60 + "}",
            "2",
            T,
        ),
    ]
    CASES.extend(FULL2)
    return CASES


_GAP_ANSWERS = frozenset(
    {
        "\\overline{3+4i}",  # complex conjugate bar
        "1\\mathbf{i} + 2\\mathbf{j} + 3\\mathbf{k}",  # unit-vector notation
        "\\begin{vmatrix}1&2\\\\3&4\\end{vmatrix}",  # a determinant written as vmatrix
    }
)
HELD_OUT: list[HeldOut] = []
HELD_OUT_GAPS: list[HeldOut] = []
for _case in _held_out():
    _gap = any(f"{{{g}}}" in _case[1] for g in _GAP_ANSWERS)
    (HELD_OUT_GAPS if _gap else HELD_OUT).append(_case)
