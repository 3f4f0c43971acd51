// Tokens of a .kf file. Pure syntax: no actions, no predicates. Comments go to the hidden channel,
// where the parse phase reads `///` doc comments back. The UNTERMINATED_*, BAD_NUMBER and
// ERROR_CHAR tokens exist so that lexical mistakes reach the parse phase as tokens, which reports
// them once, in kfpc's words, instead of as ANTLR lexer errors.
lexer grammar KfLexer;

// Keywords (reserved).
IMPORT    : 'import';
ARTIFACT  : 'artifact';
COMPONENT : 'component';
PIPELINE  : 'pipeline';
RETURN    : 'return';
IF        : 'if';
ELSE      : 'else';
FOR       : 'for';
IN        : 'in';
TRY       : 'try';
FINALLY   : 'finally';
TRUE      : 'true';
FALSE     : 'false';
NONE      : 'none';
AND       : 'and';
OR        : 'or';
NOT       : 'not';

// Contextual words: keywords in one place, identifiers everywhere else (see `identifier`).
ENV         : 'env';
PARALLELISM : 'parallelism';

// Punctuation and operators.
ARROW    : '->';
LPAREN   : '(';
RPAREN   : ')';
LBRACE   : '{';
RBRACE   : '}';
LBRACK   : '[';
RBRACK   : ']';
COMMA    : ',';
COLON    : ':';
DOT      : '.';
QUESTION : '?';
EQ       : '==';
NE       : '!=';
LE       : '<=';
GE       : '>=';
LT       : '<';
GT       : '>';
ASSIGN   : '=';
MINUS    : '-';

// Literals. A raw string holds no escapes; it ends at the first `"""`. The hashed form
// `#"""..."""#` ends at the first `"""#`, so it can hold Python docstrings.
RAW_STRING : '"""' RAW_CHAR* '"""' | '#"""' .*? '"""#';
STRING     : '"' STRING_CHAR* '"';
FLOAT      : '-'? DIGIT+ '.' DIGIT+ EXPONENT? | '-'? DIGIT+ EXPONENT;
INT        : '-'? DIGIT+;
ID         : [A-Za-z_] [A-Za-z0-9_]*;

// Lexical mistakes. Each is longer than any valid token it could be confused with only when the
// text is actually wrong, so valid input never produces them.
// An unterminated `#"""` is not a token of its own: it lexes as ERROR_CHAR `#` before `"""`, and
// the parse phase reports that pair as an unterminated raw string.
UNTERMINATED_RAW_STRING : '"""' RAW_CHAR* ('"' | '""')?;
UNTERMINATED_STRING     : '"' STRING_CHAR* '\\'?;
SINGLE_QUOTED_STRING    : '\'' ~['\r\n]* '\''?;
BAD_NUMBER              : '-'? DIGIT+ ('.' DIGIT*)? ([eE] [+-]? DIGIT*)? [A-Za-z0-9_.]*;

// Trivia.
// `////` and longer runs of slashes start a plain comment, as a line of slashes often does.
DOC_COMMENT  : '///' (~[/\r\n] ~[\r\n]*)? -> channel(HIDDEN);
LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN);
WS           : [ \t\r\n\f\uFEFF]+ -> skip;  // U+FEFF: a byte order mark

// Anything else; reported by the parse phase as an unexpected character.
ERROR_CHAR : .;

// Every raw-string character run ends in a character other than `"`, so `"""` never falls inside.
fragment RAW_CHAR    : ~'"' | '"' ~'"' | '""' ~'"';
fragment STRING_CHAR : '\\' ~[\r\n] | ~["\\\r\n];
fragment DIGIT       : [0-9];
fragment EXPONENT    : [eE] [+-]? DIGIT+;
