// Syntax of a .kf file (docs/language.md). Pure syntax: labelled alternatives, no actions, no
// predicates. What is allowed where (which settings exist, what a task may call, types) is left to
// the checker. The parse phase (compiler/parse) turns the tree into kfpc's AST.
parser grammar KfParser;

options { tokenVocab = KfLexer; }

file : decl* EOF;

decl
  : IMPORT path=stringLiteral                                          # importDecl
  | ARTIFACT name=identifier settingsBlock                             # artifactDecl
  | COMPONENT name=identifier paramList outputs? settingsBlock         # componentDecl
  | PIPELINE name=identifier paramList outputs? body=block             # pipelineDecl
  ;

paramList : LPAREN (param (COMMA param)* COMMA?)? RPAREN;
param     : name=anyName COLON typeRef (ASSIGN defaultValue=expr)?;

outputs
  : ARROW typeRef                                                      # singleOutput
  | ARROW LPAREN (output (COMMA output)* COMMA?)? RPAREN               # namedOutputs
  ;
output : name=anyName COLON typeRef;

typeRef : name=identifier (LT typeRef (COMMA typeRef)* COMMA? GT)? QUESTION?;

settingsBlock : LBRACE setting* RBRACE;

setting
  : name=identifier ASSIGN expr                                        # assignSetting
  | ENV name=identifier ASSIGN expr                                    # envSetting
  | name=identifier settingsBlock                                      # blockSetting
  ;

block : LBRACE stmt* RBRACE;

// `name = f(...)` is a task and `name = other` a pipeline setting; the builder tells them apart
// by the expression, so the grammar stays unambiguous.
stmt
  : name=identifier ASSIGN expr settingsBlock?                         # assignStmt
  | callee=identifier arguments settingsBlock?                         # callStmt
  | ENV name=identifier ASSIGN expr                                    # envStmt
  | name=identifier settingsBlock                                      # blockStmt
  | RETURN (name=identifier ASSIGN)? expr                              # returnStmt
  | IF expr block (ELSE IF expr block)* (ELSE block)?                  # ifStmt
  | FOR var=identifier IN expr (PARALLELISM ASSIGN expr)? block        # forStmt
  | TRY (name=stringLiteral)? block FINALLY block                      # tryStmt
  ;

// Precedence from high to low: member access, unary `-`, comparisons, `not`, `and`, `or`.
expr
  : expr DOT name=anyName                                              # memberExpr
  | MINUS expr                                                         # negExpr
  | expr op=(EQ | NE | LT | LE | GT | GE) expr                         # compareExpr
  | NOT expr                                                           # notExpr
  | expr AND expr                                                      # andExpr
  | expr OR expr                                                       # orExpr
  | literal                                                            # literalExpr
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                         # listExpr
  | LBRACE (mapEntry (COMMA mapEntry)* COMMA?)? RBRACE                 # mapExpr
  | callee=identifier arguments                                        # callExpr
  | anyName                                                            # nameExpr
  | LPAREN expr RPAREN                                                 # parenExpr
  ;

mapEntry  : key=expr COLON value=expr;
arguments : LPAREN (argument (COMMA argument)* COMMA?)? RPAREN;
argument  : (name=argumentName ASSIGN)? expr;
// `else` names an argument of `if_present(x, then = [...], else = [...])`.
argumentName : anyName | ELSE;

// The lexer's error tokens are literals here so that the parser does not report them a second
// time; the parse phase has already reported them.
literal
  : value=(STRING | RAW_STRING | INT | FLOAT | TRUE | FALSE | NONE
  | UNTERMINATED_STRING | UNTERMINATED_RAW_STRING | SINGLE_QUOTED_STRING | BAD_NUMBER)
  ;
stringLiteral
  : value=(STRING | RAW_STRING | UNTERMINATED_STRING | UNTERMINATED_RAW_STRING | SINGLE_QUOTED_STRING)
  ;

identifier : ID | ENV | PARALLELISM;
// Inputs, outputs, arguments and members may also be called `artifact`, as KFP components often
// call an input. Settings, statements and declarations keep the plain names, so that a missing `}`
// before the next declaration is still found there.
anyName : identifier | ARTIFACT;
