#!/usr/bin/env bash
# tests/install/test_install.sh — lucidtls as a user gets it: `cmake --install`
# into a temporary prefix, then the examples built outside the source tree
# against that prefix only, and one of them run against openssl s_server.
#
#   test_install.sh BUILD_DIR      (ctest: install_test_install)
#
# Checks:
#  - the install puts exactly the shipped files under the prefix (the
#    libraries, the three public headers, the CLI, lucidtls.pc, the CMake
#    package) and nothing of the test build (liblucidtls-test.a, the
#    benchmark, lt_loadgen, examples, tests); nothing lands outside the
#    prefix (the manifest; a second install with DESTDIR; the configure-time
#    prefix is left alone);
#  - the installed liblucidtls.so has SONAME liblucidtls.so.0, no RUNPATH,
#    and exports exactly the installed headers' API (tests/abi/check_exports.sh
#    run on the installed files);
#  - pkg-config: every examples/*.c compiles and links with
#    `cc $(pkg-config --cflags --libs lucidtls)` (-Werror), and
#    `pkg-config --static --libs` is enough for a fully static link;
#  - find_package(lucidtls) in a generated CMake project with
#    CMAKE_PREFIX_PATH: lucidtls::lucidtls and lucidtls::lucidtls_static
#    link (OpenSSL::Crypto resolves through the package's find_dependency),
#    and the version file refuses a version we are not;
#  - the programs find the installed library: an RPATH to the prefix's
#    libdir (-Wl,-rpath for pkg-config, CMake's own for find_package), with
#    LD_LIBRARY_PATH unset; ldd resolves liblucidtls.so.0 there;
#  - examples/https_client (the pkg-config, the find_package and the static
#    build) fetches a page from `openssl s_server -www` on loopback twice: a
#    full TLS 1.3 handshake, then a resumed one, as s_server's page reports.
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/../interop/lib.sh"
lt_setup "$@"

for tool in cmake pkg-config cc readelf ldd nm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        lt_fail "$tool is installed" "$tool on PATH (scripts/install_deps.sh)" "not found"
        lt_finish
    fi
done
# Everything below must come from the prefix, never from the environment.
unset LD_LIBRARY_PATH CPATH C_INCLUDE_PATH LIBRARY_PATH
CA=$PKI/ca.pem
cache_var() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"; }
# out NAME CMD... — CMD's stdout in $WORK/NAME.txt; prints that path (for lt_expect_match).
out() {
    local f=$WORK/$1.txt
    shift
    "$@" >"$f" 2>&1
    echo "$f"
}
LIBDIR=$(cache_var CMAKE_INSTALL_LIBDIR)
CFG_PREFIX=$(cache_var CMAKE_INSTALL_PREFIX)
CC_BIN=$(cache_var CMAKE_C_COMPILER)
CC_BIN=${CC_BIN:-cc}
PREFIX=$WORK/prefix
LIB=$PREFIX/$LIBDIR
SRC_EXAMPLES=("$LT_ROOT"/examples/*.c)

# ------------------------------------------------------------ the install
touch "$WORK/marker"
sleep 1 # (-newer compares mtimes: the install's files must be strictly newer)
lt_run install 300 - cmake --install "$BUILD" --prefix "$PREFIX"
lt_expect_rc "cmake --install BUILD --prefix TMP" 0
[ "$LAST_RC" = 0 ] || lt_finish
MANIFEST=$BUILD/install_manifest.txt

# Every installed file, relative to the prefix (the manifest), sorted.
outside=$(grep -v "^$PREFIX/" "$MANIFEST")
lt_expect_eq "the install manifest names nothing outside the prefix" "" "$outside"
sed "s|^$PREFIX/||" "$MANIFEST" | sort >"$WORK/installed.txt"
(cd "$PREFIX" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$WORK/found.txt"
lt_expect_eq "the prefix holds exactly the manifest's files" "" "$(comm -3 "$WORK/installed.txt" "$WORK/found.txt")"

# The exported targets' per-configuration file is named after the build
# type the build used (CMakeLists.txt defaults to RelWithDebInfo without
# caching it): there must be exactly one.
per_config=$(cd "$LIB/cmake/lucidtls" 2>/dev/null && ls lucidtlsTargets-*.cmake 2>/dev/null)
lt_expect_eq "one per-configuration targets file (lucidtlsTargets-CONFIG.cmake)" 1 "$(printf '%s' "$per_config" | grep -c .)"

# The shipped set, no more and no less.
cat >"$WORK/expected.txt" <<EOF
bin/lucidtls
include/lucidtls/lucidtls.h
include/lucidtls/lucidtls_demo.h
include/lucidtls/lucidtls_fd.h
$LIBDIR/cmake/lucidtls/lucidtlsConfig.cmake
$LIBDIR/cmake/lucidtls/lucidtlsConfigVersion.cmake
$LIBDIR/cmake/lucidtls/${per_config:-lucidtlsTargets-CONFIG.cmake}
$LIBDIR/cmake/lucidtls/lucidtlsTargets.cmake
$LIBDIR/liblucidtls.a
$LIBDIR/liblucidtls.so
$LIBDIR/liblucidtls.so.0
$LIBDIR/liblucidtls.so.0.1.0
$LIBDIR/pkgconfig/lucidtls.pc
EOF
sort -o "$WORK/expected.txt" "$WORK/expected.txt"
lt_expect_eq "installed: exactly the libraries, the 3 public headers, the CLI, lucidtls.pc, the CMake package" \
    "" "$(comm -3 "$WORK/expected.txt" "$WORK/installed.txt" | sed 's/^\t/unexpected: /; s/^\([^u]\)/missing: \1/' | paste -sd' ')"
test_build=$(grep -E 'lucidtls-test|liblucidtls_test|lucidtls-bench|lt_loadgen|example_|/test_|fuzz' "$WORK/installed.txt")
lt_expect_eq "nothing of the test build is installed (liblucidtls-test.a, lucidtls-bench, lt_loadgen, examples, tests, fuzzers)" \
    "" "$test_build"
for h in lucidtls.h lucidtls_fd.h lucidtls_demo.h; do
    if cmp -s "$LT_ROOT/include/lucidtls/$h" "$PREFIX/include/lucidtls/$h"; then
        lt_pass "include/lucidtls/$h is the source tree's"
    else
        lt_fail "include/lucidtls/$h is the source tree's" "identical files" "they differ, or it is missing"
    fi
done

# Nothing outside the prefix: the configure-time prefix got nothing of
# ours (a rule with an absolute destination, or a file that baked the
# configure-time prefix in, would write there)...
if [ -d "$CFG_PREFIX" ] && [ "$CFG_PREFIX" != "$PREFIX" ]; then
    leaked=$(find "$CFG_PREFIX" -maxdepth 4 -newer "$WORK/marker" \( -name 'liblucidtls*' -o -name 'lucidtls*' \) \
        2>/dev/null | head -n 5)
    lt_expect_eq "the configure-time prefix ($CFG_PREFIX) got nothing from the install" "" "$leaked"
fi
# ...and a staged install (DESTDIR, as a package build does it) puts every
# file below DESTDIR/PREFIX.
STAGE=$WORK/stage
STAGED_PREFIX=/opt/lucidtls-install-test
lt_run install-destdir 300 - env DESTDIR="$STAGE" cmake --install "$BUILD" --prefix "$STAGED_PREFIX"
lt_expect_rc "DESTDIR=STAGE cmake --install --prefix $STAGED_PREFIX" 0
stray=$(cd "$STAGE" && find . \( -type f -o -type l \) ! -path ".$STAGED_PREFIX/*" | head -n 5)
lt_expect_eq "the staged install has no file outside DESTDIR$STAGED_PREFIX" "" "$stray"
lt_expect_eq "the staged lucidtls.pc names the final prefix, not the staging directory" \
    "prefix=$STAGED_PREFIX" "$(grep '^prefix=' "$STAGE$STAGED_PREFIX/$LIBDIR/pkgconfig/lucidtls.pc")"
# The staged install rewrote the manifest; the first install's files are what follows.

# ------------------------------------------------------------ the installed library
soname=$(readelf -d "$LIB/liblucidtls.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
lt_expect_eq "the installed liblucidtls.so has SONAME liblucidtls.so.0" "liblucidtls.so.0" "$soname"
lt_expect_eq "liblucidtls.so -> liblucidtls.so.0 -> liblucidtls.so.0.1.0" "liblucidtls.so.0|liblucidtls.so.0.1.0" \
    "$(readlink "$LIB/liblucidtls.so")|$(readlink "$LIB/liblucidtls.so.0")"
for f in "$LIB/liblucidtls.so.0.1.0" "$PREFIX/bin/lucidtls"; do
    lt_expect_eq "$(basename "$f") has no RPATH/RUNPATH (none into the build tree)" "" \
        "$(readelf -d "$f" | grep -E '\((RPATH|RUNPATH)\)')"
done
lt_run abi 60 - bash "$LT_ROOT/tests/abi/check_exports.sh" --cc "$CC_BIN" --include "$PREFIX/include" \
    --shared "$LIB/liblucidtls.so" --static "$LIB/liblucidtls.a" --allow "$LT_ROOT/tests/abi/exports.allow"
lt_expect_rc "check_exports.sh on the installed files: the .so exports the installed headers' API, nothing else" 0
lt_expect_contains "check_exports.sh: no failure" "$LAST_OUT" " passed, 0 failed"
lt_run cli-help 20 - "$PREFIX/bin/lucidtls" --help
lt_expect_rc "the installed CLI runs: lucidtls --help" 0
lt_expect_contains "lucidtls --help prints the usage" "$LAST_OUT" "usage:"

# ------------------------------------------------------------ pkg-config
# The examples are copied out of the tree: nothing but the prefix is on any
# include or library path.
export PKG_CONFIG_PATH=$LIB/pkgconfig
lt_expect_eq "pkg-config finds the installed lucidtls.pc" "$PREFIX" "$(pkg-config --variable=prefix lucidtls)"
lt_expect_eq "pkg-config --modversion lucidtls" "0.1.0" "$(pkg-config --modversion lucidtls)"
lt_expect_eq "pkg-config --cflags --libs lucidtls" "-I$PREFIX/include -L$LIB -llucidtls" \
    "$(pkg-config --cflags --libs lucidtls | sed 's/ *$//')"
lt_expect_match "pkg-config --static --libs adds libcrypto (Requires.private) and -pthread" \
    "$(out pc-static-libs pkg-config --static --libs lucidtls)" "-llucidtls .*-pthread.*-lcrypto"
read -ra PC_CFLAGS <<<"$(pkg-config --cflags lucidtls)"
read -ra PC_LIBS <<<"$(pkg-config --libs lucidtls)"
read -ra PC_STATIC <<<"$(pkg-config --static --cflags --libs lucidtls)"
PC_LIBDIR=$(pkg-config --variable=libdir lucidtls)
APP=$WORK/app-pkgconfig
mkdir -p "$APP"
cp "${SRC_EXAMPLES[@]}" "$APP/"
for src in "${SRC_EXAMPLES[@]}"; do
    ex=$(basename "$src" .c)
    lt_run "pc-$ex" 120 - "$CC_BIN" -Wall -Wextra -Werror "${PC_CFLAGS[@]}" -o "$APP/$ex" "$APP/$ex.c" \
        "${PC_LIBS[@]}" "-Wl,-rpath,$PC_LIBDIR"
    lt_expect_rc "pkg-config: examples/$ex.c compiles and links against the installed library" 0
done
lt_run pc-static 120 - "$CC_BIN" -static -Wall -Wextra -Werror -o "$APP/https_client_static" \
    "$APP/https_client.c" "${PC_STATIC[@]}"
lt_expect_rc "cc -static examples/https_client.c \$(pkg-config --static --cflags --libs lucidtls)" 0

if [ -x "$APP/https_client" ]; then
    lt_expect_match "pkg-config build: NEEDED liblucidtls.so.0" "$(out pc-readelf readelf -d "$APP/https_client")" \
        "\(NEEDED\).*\[liblucidtls\.so\.0\]"
    lt_expect_match "pkg-config build: ldd resolves liblucidtls.so.0 in the prefix (RPATH, no LD_LIBRARY_PATH)" \
        "$(out pc-ldd ldd "$APP/https_client")" "^[[:space:]]*liblucidtls\.so\.0 => $LIB/liblucidtls\.so\.0 "
fi
if [ -x "$APP/https_client_static" ]; then
    lt_expect_eq "static build: no dynamic section (nothing to load at run time)" "" \
        "$(readelf -d "$APP/https_client_static" | grep -F '(NEEDED)')"
    lt_expect_match "static build: the library is linked in (lt_fd_handshake defined)" \
        "$(out static-nm nm "$APP/https_client_static")" " T lt_fd_handshake$"
fi

# ------------------------------------------------------------ find_package
# A consumer project as the README shows it, with -Werror.
CM=$WORK/app-cmake
mkdir -p "$CM/src"
cp "${SRC_EXAMPLES[@]}" "$CM/src/"
{
    cat <<'EOF'
cmake_minimum_required(VERSION 3.18)
project(lucidtls_consumer LANGUAGES C)
find_package(lucidtls 0.1 REQUIRED)
message(STATUS "lucidtls_DIR=${lucidtls_DIR} lucidtls_VERSION=${lucidtls_VERSION}")
add_compile_options(-Wall -Wextra -Werror)
file(GLOB examples ${CMAKE_SOURCE_DIR}/src/*.c)
foreach(src ${examples})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE lucidtls::lucidtls)
endforeach()
add_executable(https_client_static src/https_client.c)
target_link_libraries(https_client_static PRIVATE lucidtls::lucidtls_static)
EOF
} >"$CM/CMakeLists.txt"
lt_run cm-configure 300 - cmake -S "$CM" -B "$CM/build" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_C_COMPILER="$CC_BIN" \
    -DCMAKE_BUILD_TYPE=Release
lt_expect_rc "find_package(lucidtls 0.1 REQUIRED) with CMAKE_PREFIX_PATH=TMP configures" 0
lt_expect_contains "find_package found the installed package" "$LAST_OUT" \
    "lucidtls_DIR=$LIB/cmake/lucidtls lucidtls_VERSION=0.1.0"
lt_run cm-build 300 - cmake --build "$CM/build" -j2
lt_expect_rc "find_package: every example builds against lucidtls::lucidtls, https_client against lucidtls::lucidtls_static" 0
if [ -x "$CM/build/https_client" ]; then
    lt_expect_match "find_package build: ldd resolves liblucidtls.so.0 in the prefix (CMake's RPATH)" \
        "$(out cm-ldd ldd "$CM/build/https_client")" "^[[:space:]]*liblucidtls\.so\.0 => $LIB/liblucidtls\.so\.0 "
    lt_expect_match "find_package build: NEEDED liblucidtls.so.0" "$(out cm-readelf readelf -d "$CM/build/https_client")" \
        "\(NEEDED\).*\[liblucidtls\.so\.0\]"
fi
if [ -x "$CM/build/https_client_static" ]; then
    lt_expect_eq "lucidtls::lucidtls_static: no liblucidtls NEEDED, libcrypto (OpenSSL::Crypto) is" "libcrypto.so.3" \
        "$(readelf -d "$CM/build/https_client_static" | sed -n 's/.*(NEEDED).*\[\(lib\(lucidtls\|crypto\)[^]]*\)\]/\1/p' | paste -sd' ')"
fi
# The version file: a version we are not is refused.
mkdir -p "$WORK/app-cmake-v9"
printf 'cmake_minimum_required(VERSION 3.18)\nproject(v9 LANGUAGES C)\nfind_package(lucidtls 9.0 REQUIRED)\n' \
    >"$WORK/app-cmake-v9/CMakeLists.txt"
lt_run cm-v9 300 - cmake -S "$WORK/app-cmake-v9" -B "$WORK/app-cmake-v9/build" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_C_COMPILER="$CC_BIN"
lt_expect_rc "find_package(lucidtls 9.0 REQUIRED) fails" nonzero
lt_expect_match "... because of the version (lucidtlsConfigVersion.cmake)" "$LAST_ALL" "version: 0\.1\.0"

# ------------------------------------------------------------ run it against openssl s_server
# s_server -www answers each GET with a page about the connection: "New," or
# "Reused," then the version and cipher. It issues TLS 1.3 tickets, so the
# example's second connection resumes.
lt_start_openssl_server WWW -www -alpn http/1.1 -cert "$PKI/chain.pem" -key "$PKI/server.key" || lt_finish
for prog in "$APP/https_client" "$CM/build/https_client" "$APP/https_client_static"; do
    case $prog in
    "$APP/https_client") what="pkg-config build" ;;
    "$CM/build/https_client") what="find_package build" ;;
    *) what="static pkg-config build" ;;
    esac
    if [ ! -x "$prog" ]; then
        lt_fail "$what: https_client against openssl s_server" "a built program" "none (it did not build)"
        continue
    fi
    lt_run "run-${what// /-}" 30 - "$prog" localhost "$(lt_port WWW)" "$CA"
    lt_expect_rc "$what: https_client localhost PORT ca.pem against openssl s_server -www" 0
    lt_expect_eq "$what: ALPN http/1.1 both times, a full handshake then a resumed one" \
        "new (full handshake)|resumed" \
        "$(sed -n 's/^-- ALPN chose http\/1\.1; session //p' "$LAST_OUT" | paste -sd'|')"
    lt_expect_eq "$what: two HTTP answers" "2" "$(grep -c '^HTTP/1.0 200 ok' "$LAST_OUT")"
    lt_expect_match "$what: s_server's pages say New then Reused, TLSv1.3" "$LAST_OUT" \
        "^New, TLSv1\.3, Cipher is"
    lt_expect_match "$what: ... and the second one Reused" "$LAST_OUT" "^Reused, TLSv1\.3, Cipher is"
done
lt_stop_server WWW

lt_finish
