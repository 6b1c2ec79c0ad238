#!/usr/bin/env bash
# Regenerates the committed seed corpus fuzz/corpus/<target>/: tiny synthetic
# inputs (a few KB at most), written here or drawn by ffmpeg from its lavfi
# test sources. Nothing from ../shared/testdata is copied (scripts/fuzz seeds
# from it at run time instead). Needs ffmpeg (libx264, libvpx, libwebp), zip,
# python3, sqlite3 and a built vigil (VIGIL, default build/apps/vigil/vigil)
# for the evidence bundle. Usage: [VIGIL=path] fuzz/make_seeds.sh
set -euo pipefail
cd "$(dirname "$0")"
VIGIL=$(realpath "${VIGIL:-../build/apps/vigil/vigil}")
[ -x "$VIGIL" ] || { echo "make_seeds: no vigil binary at $VIGIL (set VIGIL)" >&2; exit 2; }
C=corpus
rm -rf "$C"
mkdir -p "$C"/{ingest,image,video,hash_list,text,bundle_verify}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
src="-f lavfi -i testsrc2=s=32x24:d=1"
bits="-fflags +bitexact -flags:v +bitexact -map_metadata -1"

# --- image: each DecodeImage format and its variants ------------------------
I=$C/image
ff $src -frames:v 1 $bits -pix_fmt yuvj420p "$I/rgb.jpg"
ff $src -frames:v 1 $bits -pix_fmt yuvj444p "$I/yuv444.jpg"
ff $src -frames:v 1 $bits -pix_fmt gray "$I/grey.jpg"
ff -f lavfi -i testsrc2=s=300x280:d=1 -frames:v 1 $bits -q:v 31 -pix_fmt yuvj420p "$I/scaled.jpg"
for f in rgb24 rgba gray ya8 pal8 gray16be rgb48be rgba64be monob; do
  ff $src -frames:v 1 $bits -pix_fmt $f "$I/$f.png"
done
ff $src -frames:v 1 $bits -pred mixed -pix_fmt rgb24 "$I/mixed_pred.png"
ff $src -frames:v 1 $bits -c:v libwebp -quality 20 "$I/lossy.webp"
ff $src -frames:v 1 $bits -c:v libwebp -lossless 1 "$I/lossless.webp"
ff -f lavfi -i testsrc2=s=16x12:r=2:d=1 $bits -c:v libwebp_anim -loop 0 "$I/anim.webp"
ff -f lavfi -i testsrc2=s=16x12:r=2:d=1 $bits "$I/anim.gif"
for f in bgr24 bgra rgb565 rgb555 rgb444 pal8 gray monob; do
  ff $src -frames:v 1 $bits -pix_fmt $f "$I/$f.bmp"
done
printf 'BM' > "$I/bmp_header_only.bmp"
printf '\x89PNG\r\n\x1a\n' > "$I/png_signature_only.png"

# --- video: first byte = knobs (bit 0 allow_truncated, bit 1 no autorotate) --
V=$T/video
mkdir -p "$V"
vsrc="-f lavfi -i testsrc2=s=32x24:r=2:d=2"
x264="-c:v libx264 -preset ultrafast -pix_fmt yuv420p"
ff $vsrc $bits $x264 "$V/h264.mp4"
# The 5.1 mov muxer turns the legacy tag into a display matrix on stream copy.
ff -i "$V/h264.mp4" -c copy -movflags +faststart -metadata:s:v:0 rotate=90 "$V/rotated.mp4"
ff $vsrc $bits -c:v mpeg4 -q:v 10 "$V/mpeg4.avi"
ff $vsrc $bits -c:v mjpeg -q:v 10 "$V/mjpeg.avi"
ff $vsrc $bits -c:v libvpx -b:v 20k "$V/vp8.webm"
ff $vsrc $bits -c:v mpeg4 -q:v 10 "$V/mpeg4.mkv"
ff $vsrc $bits -c:v mpeg2video -q:v 10 "$V/mpeg2.ts"
ff $vsrc $bits -c:v mpeg2video -q:v 10 -f vob "$V/mpeg2.mpg"
ff $vsrc $bits -c:v flv1 -q:v 10 "$V/flv1.flv"
ff $vsrc $bits -c:v libvpx -b:v 20k "$V/vp8.ivf"
ff $vsrc $bits $x264 -f h264 "$V/raw.h264"
ff $vsrc $bits -c:v mpeg4 -q:v 10 -f m4v "$V/raw.m4v"
ff $vsrc $bits -c:v wmv2 -q:v 10 "$V/wmv2.asf"
ff -f lavfi -i sine=d=0.1 $bits -c:a aac "$V/audio_only.m4a"
for f in "$V"/*; do
  b=$(basename "$f")
  { printf '\x00'; cat "$f"; } > "$C/video/$b"
done
{ printf '\x01'; head -c 1500 "$V/h264.mp4"; } > "$C/video/truncated_allowed.mp4"
{ printf '\x00'; head -c 1500 "$V/h264.mp4"; } > "$C/video/truncated.mp4"
{ printf '\x02'; cat "$V/rotated.mp4"; } > "$C/video/rotated_no_autorotate.mp4"

# --- hash_list: first byte = format (0 te-csv, 1 plain, 2 vics, 3 vigil-csv) -
H=$C/hash_list
P=f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22
M=d41d8cd98f00b204e9800998ecf8427e
S1=da39a3ee5e6b4b0d3255bfef95601890afd80709
S2=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
{ printf '\x00'
  printf 'collab,signal_type,signal_str,category,tags\n'
  printf 'ngo,pdq,%s,TRUE_POSITIVE,"missing, 2014"\n' $P
  printf 'ngo,video_md5,%s,,a b\n' $M
  printf '"n""g,o",sha256,%s,x,"multi\nline"\n' $S2
  printf 'ngo,photodna,zz,,\n'; } > "$H/te.csv"
{ printf '\x00'
  printf 'signal_str,signal_type\n%s,PDQ\n%s,md5\n' $P $M; } > "$H/te_reordered.csv"
{ printf '\x01'
  printf '# list\n\npdq %s\n%s\n%s\n%s\nsha256 %s\nmd5 123\n' $P $M $S1 $P $S2; } > "$H/plain.txt"
{ printf '\x01\xef\xbb\xbf'; printf '%s\r\n' $P; } > "$H/plain_bom_crlf.txt"
{ printf '\x02'
  printf '{"odata.metadata":"http://github.com/VICSDATAMODEL/ProjectVic/$metadata#Media",'
  printf '"value":[{"MediaID":7,"Category":1,"MD5":"%s","SHA1":"%s","Tags":"a;b,c",' $M $S1
  printf '"AlternativeHashes":[{"HashName":"PDQ","HashValue":"%s"},' $P
  printf '{"HashName":"PhotoDNA","HashValue":"AAAA"}]},{"SHA256":"%s","Tags":["x","y"]}]}' $S2
} > "$H/vics_media.json"
{ printf '\x02'
  printf '{"value":[{"CaseID":1,"Media":[{"MediaID":"m1","Category":"2","MD5":"%s"}]}]}' $M
} > "$H/vics_cases.json"
{ printf '\x03'
  printf 'type,value,labels,category,source\n'
  printf 'pdq,%s,a;b\\;c;d\\\\e,cat,src\n' $P
  printf 'md5,%s,,,\n' $M
  printf 'sha1,%s,"x,y",,"q""q"\n' $S1; } > "$H/vigil.csv"

# --- text: posts as analysts meet them (synthetic) --------------------------
X=$C/text
printf 'Girl for sale, 15 years old, price $3000. Contact @seller_01 or +964 770 123 4567' > "$X/en_offer.txt"
printf 'I want to buy a sabiya, paying in dollars, DM t.me/buyer_x' > "$X/en_request.txt"
printf 'Missing: my sister, 16 years old, last seen in Sinjar. Call 0770 123 4567' > "$X/en_appeal.txt"
printf 'Car for sale, 2010 model, price 5000 USD, 15 years old tyres' > "$X/en_goods.txt"
printf 'سبية للبيع عمرها ١٥ سنة السعر ٣٠٠٠ دولار للتواصل واتساب +٩٦٤٧٧٠١٢٣٤٥٦٧' > "$X/ar_offer.txt"
printf 'کچ بۆ فرۆشتن، تەمەن ١٦ ساڵ' > "$X/ckb.txt"
printf 'Keçek ji bo firotinê, 15 salî, biha 2000$' > "$X/kmr.txt"
printf 's@b4ya f0r s.a.l.e 1500$ bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq 0x52908400098527886E0F7030069857D2E4169EE7' > "$X/leet_wallets.txt"
printf '\xe2\x80\x8fRTL\xe2\x80\x8e mark \xd9\x84\xd9\x84\xd8\xa8\xd9\x8a\xd8\xb9 \xff\xfe bad utf8 \xc3 \xed\xa0\x80 surrogate' > "$X/bidi_invalid.txt"
printf 'ﷺ ﻻ ǅ ß İ ﬁ e\xcc\x81 café Ａｇｅ １５ http://example.invalid/a?b=c mail@example.invalid' > "$X/unicode_forms.txt"

# --- ingest: one tiny export per reader, and a zip --------------------------
G=$C/ingest
printf '{"name":"T","type":"public_channel","id":5,"messages":[{"id":1,"type":"message","date":"2024-05-01T10:00:00","date_unixtime":"1714557600","from":"A","from_id":"user1","text":["for ",{"type":"bold","text":"sale"}],"text_entities":[{"type":"plain","text":"for "}],"photo":"photos/p.jpg"},{"id":2,"type":"service","action":"pin_message","date":"2024-05-01T10:01:00","actor":"A"}]}' > "$G/telegram.json"
printf '{"about":"x","chats":{"list":[{"name":"C","type":"private_group","id":9,"messages":[{"id":1,"type":"message","date":"2024-01-01T00:00:00","from":null,"text":"\\x01 hi"}]}]}}' > "$G/telegram_all.json"
printf '12/31/23, 11:59 PM - Alice: hello\nsecond line\n1/1/24, 12:00 AM - Bob: IMG-20240101-WA0001.jpg (file attached)\n1/1/24, 12:01 AM - Messages are end-to-end encrypted.\n' > "$G/whatsapp_android.txt"
printf '[31.12.23, 23:59:01] Alice: \xe2\x80\x8eimage omitted\n[01.01.24, 00:00:02] Bob: hallo\n' > "$G/whatsapp_ios.txt"
printf '{"participants":[{"name":"A"}],"title":"T","thread_path":"inbox/t_1","messages":[{"sender_name":"A","timestamp_ms":1000,"content":"\\u00c3\\u00a9","photos":[{"uri":"inbox/t_1/photos/p.jpg"}]}]}' > "$G/facebook.json"
printf '{"id":"1","channel":{"id":"c1","title":"M"},"time":"2024-05-01T10:00:00Z","author":"A","text":"x","media":["p.jpg",{"path":"v.mp4","type":"video"}]}\n{"id":2,"time":1714557600}\nnot json\n' > "$G/posts.jsonl"
mkdir -p "$T/zip"
cp "$G/whatsapp_android.txt" "$T/zip/_chat.txt"
printf 'not really a jpeg' > "$T/zip/IMG-20240101-WA0001.jpg"
(cd "$T/zip" && zip -q -X ../chat.zip _chat.txt IMG-20240101-WA0001.jpg)
cp "$T/chat.zip" "$G/whatsapp.zip"

# --- bundle_verify: byte 0 bit 0 clear = a .zip, set = manifest.json alone ---
# A real bundle of one synthetic photo (a throwaway key, a test passphrase).
B=$T/bundle
mkdir -p "$B/export/photos"
ff -f lavfi -i testsrc2=s=16x12:d=1 -frames:v 1 $bits -q:v 31 "$B/export/photos/photo_1.jpg"
printf '{"name":"Seed","type":"public_channel","id":7,"messages":[{"id":1,"type":"message","date":"2024-05-01T10:00:00","date_unixtime":"1714557600","from":"A","from_id":"user1","text":"seed","photo":"photos/photo_1.jpg"}]}' > "$B/export/result.json"
export VIGIL_PASSPHRASE="fuzz seed passphrase, not for real use"
"$VIGIL" keys init --db "$B/e.db" 2> /dev/null
"$VIGIL" scan "$B/export" --db "$B/e.db" --evidence -q
"$VIGIL" evidence export --post telegram/7/1 --db "$B/e.db" -o "$B/case.zip" 2> /dev/null
"$VIGIL" verify "$B/case.zip" > /dev/null
{ printf '\x00'; cat "$B/case.zip"; } > "$C/bundle_verify/bundle.zip"
{ printf '\x01'; unzip -p "$B/case.zip" manifest.json; } > "$C/bundle_verify/manifest.json"
printf '\x00PK\x05\x06' > "$C/bundle_verify/empty_zip_prefix"
du -sh "$C"/*
