@echo off
rem Runs the Parley server on Windows: bin\parley.cmd [options]; --help lists them.
rem Finds the jar in PARLEY_JAR, beside this script, in ..\lib, or in the build output; Java in JAVA_HOME or on the PATH.
setlocal
set "here=%~dp0"
set "jar=%PARLEY_JAR%"
if "%jar%"=="" if exist "%here%parley-server.jar" set "jar=%here%parley-server.jar"
if "%jar%"=="" if exist "%here%..\lib\parley-server.jar" set "jar=%here%..\lib\parley-server.jar"
if "%jar%"=="" if exist "%here%..\chat-server\target\parley-server.jar" set "jar=%here%..\chat-server\target\parley-server.jar"
if "%jar%"=="" (
  echo parley: no parley-server.jar found; build it with: mvn -q package -DskipTests 1>&2
  exit /b 1
)
set "java=java"
if not "%JAVA_HOME%"=="" set "java=%JAVA_HOME%\bin\java"
"%java%" %JAVA_OPTS% -jar "%jar%" %*
exit /b %ERRORLEVEL%
