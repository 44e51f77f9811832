; Windows installer for the one-folder FamilyDoc build (NSIS 3, Unicode).
;   makensis -DVERSION=0.1.0 -DSRCDIR=dist\FamilyDoc -DICON=build\familydoc.ico
;            -DOUTFILE=dist\FamilyDoc-setup.exe familydoc.nsi
; Per machine into Program Files, shortcuts for all users (a deployment run as SYSTEM still
; gives every doctor a shortcut). The clinic's data (database, backups, logs) lives in each
; user's %LOCALAPPDATA%\FamilyDoc and is never touched by install, upgrade or uninstall.
; Switches (docs/build.md):
;   /S                 silent install (mass deployment)
;   /D=C:\path         install folder (must be last, no quotes)
;   /SERVER=https://…  pre-set the sync server for every user of this PC
;   /CABUNDLE=C:\…pem  pre-set the CA bundle of a self-signed township server
; Both are written to %PROGRAMDATA%\FamilyDoc\familydoc.ini, which the app reads at first start.
; Exit codes: 0 done; 2 aborted (old Windows, newer version installed, FamilyDoc running).
Unicode true
ManifestDPIAware true
!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "WordFunc.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef SRCDIR
  !define SRCDIR "..\dist\FamilyDoc"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\FamilyDoc-${VERSION}-setup.exe"
!endif
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define APPNAME "FamilyDoc"
!define DISPLAYNAME "家医签约助手"
!define APPKEY "Software\${APPNAME}"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
!define MIN_BUILD 17763 ; Windows 10 1809: the oldest Windows Qt 6 supports

Name "${DISPLAYNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "${APPKEY}" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${DISPLAYNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${DISPLAYNAME} 安装程序"
VIAddVersionKey "LegalCopyright" "FamilyDoc"

Var Server
Var CaBundle

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
; The installer runs elevated; starting the app from it directly would run the doctor's app
; as administrator (and under the admin's profile). Explorer starts it as the desktop user.
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "启动家医签约助手"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchAsDesktopUser
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

Function LaunchAsDesktopUser
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\FamilyDoc.exe"'
FunctionEnd

; Exit code 0 of `find` means the program is in the task list (all sessions).
!macro IsRunning exe result
  nsExec::ExecToStack '"$SYSDIR\cmd.exe" /c "$SYSDIR\tasklist.exe /NH /FI "IMAGENAME eq ${exe}" | $SYSDIR\find.exe /I "${exe}""'
  Pop ${result}
  Pop $R9
!macroend

Function StopIfRunning
  retry:
  !insertmacro IsRunning "FamilyDoc.exe" $0
  !insertmacro IsRunning "familydoc-cli.exe" $1
  ${If} $0 == 0
  ${OrIf} $1 == 0
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "家医签约助手正在运行（可能在另一位用户的桌面上）。$\r$\n请先保存工作并关闭程序，再点“重试”。$\r$\n数据不会丢失。" \
      /SD IDCANCEL IDRETRY retry
    SetErrorLevel 2
    Quit
  ${EndIf}
FunctionEnd

Function .onInit
  SetShellVarContext all
  SetRegView 64
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "家医签约助手需要 64 位的 Windows 10（1809 版）或更新的系统，本机系统不能安装。" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  ${WinVerGetBuild} $0
  ${IfNot} ${AtLeastWin10}
  ${OrIf} $0 < ${MIN_BUILD}
    MessageBox MB_ICONSTOP "家医签约助手需要 Windows 10 1809 版（内部版本 ${MIN_BUILD}）或更新的系统。$\r$\n本机内部版本为 $0，请先升级 Windows。" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  ; No downgrade: an older program could not open a database a newer one has migrated.
  ReadRegStr $1 HKLM "${APPKEY}" "Version"
  ${If} $1 != ""
    ${VersionCompare} "${VERSION}" "$1" $2
    ${If} $2 == 2
      MessageBox MB_ICONSTOP "本机已安装更新的版本 $1，不能用较旧的版本 ${VERSION} 覆盖。$\r$\n如确需换回旧版本，请先联系县乡信息管理员。" /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/SERVER=" $Server
  ClearErrors
  ${GetOptions} $R0 "/CABUNDLE=" $CaBundle
  ClearErrors
FunctionEnd

Section "Install"
  Call StopIfRunning
  ; An upgrade replaces the program folder whole: stale DLLs from an old Qt never linger.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SRCDIR}\*.*"
  ${If} $Server != ""
  ${OrIf} $CaBundle != ""
    ; $APPDATA is C:\ProgramData in the all-users context. UTF-8 with a BOM (the app reads it).
    CreateDirectory "$APPDATA\${APPNAME}"
    FileOpen $3 "$APPDATA\${APPNAME}\familydoc.ini" w
    FileWriteByte $3 239
    FileWriteByte $3 187
    FileWriteByte $3 191
    FileWrite $3 "[sync]$\r$\n"
    ${If} $Server != ""
      FileWrite $3 "server_url = $Server$\r$\n"
    ${EndIf}
    ${If} $CaBundle != ""
      FileWrite $3 "ca_bundle = $CaBundle$\r$\n"
    ${EndIf}
    FileClose $3
  ${EndIf}
  WriteRegStr HKLM "${APPKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APPKEY}" "Version" "${VERSION}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${DISPLAYNAME}"
  CreateShortcut "$SMPROGRAMS\${DISPLAYNAME}\${DISPLAYNAME}.lnk" "$INSTDIR\FamilyDoc.exe"
  CreateShortcut "$SMPROGRAMS\${DISPLAYNAME}\${DISPLAYNAME}（命令行）.lnk" "$SYSDIR\cmd.exe" \
    '/k cd /d "$INSTDIR" && familydoc-cli.exe --help' "$INSTDIR\familydoc-cli.exe"
  CreateShortcut "$SMPROGRAMS\${DISPLAYNAME}\卸载.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${DISPLAYNAME}.lnk" "$INSTDIR\FamilyDoc.exe"
  ${GetSize} "$INSTDIR" "/S=0K" $4 $5 $6
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${DISPLAYNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "FamilyDoc"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\FamilyDoc.exe"
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" $4
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Function un.onInit
  SetShellVarContext all
  SetRegView 64
FunctionEnd

Section "Uninstall"
  retry:
  !insertmacro IsRunning "FamilyDoc.exe" $0
  ${If} $0 == 0
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "家医签约助手正在运行，请先关闭程序，再点“重试”。" \
      /SD IDCANCEL IDRETRY retry
    SetErrorLevel 2
    Quit
  ${EndIf}
  Delete "$DESKTOP\${DISPLAYNAME}.lnk"
  RMDir /r "$SMPROGRAMS\${DISPLAYNAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\FamilyDoc.exe"
  Delete "$INSTDIR\familydoc-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "${APPKEY}"
  ; Deliberately left in place: each user's %LOCALAPPDATA%\FamilyDoc (the clinic's data) and
  ; %PROGRAMDATA%\FamilyDoc\familydoc.ini (IT's pre-set server, used by a reinstall).
SectionEnd
