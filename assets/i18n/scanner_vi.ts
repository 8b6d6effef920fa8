<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
  <context>
    <name>CertificateType</name>
    <message>
      <source>vaccination</source>
      <translation>tiêm chủng</translation>
    </message>
    <message>
      <source>test</source>
      <translation>xét nghiệm</translation>
    </message>
    <message>
      <source>recovery</source>
      <translation>khỏi bệnh</translation>
    </message>
  </context>
  <context>
    <name>Chain</name>
    <message>
      <source>missing record(s) before it</source>
      <translation>thiếu bản ghi ngay trước nó</translation>
    </message>
    <message>
      <source>out of order</source>
      <translation>sai thứ tự</translation>
    </message>
    <message>
      <source>does not follow the previous record</source>
      <translation>không nối tiếp bản ghi trước</translation>
    </message>
    <message>
      <source>content changed</source>
      <translation>nội dung đã bị sửa</translation>
    </message>
    <message>
      <source>missing event(s) before it</source>
      <translation>thiếu (các) sự kiện ngay trước</translation>
    </message>
    <message>
      <source>does not follow the previous event</source>
      <translation>không nối tiếp sự kiện trước</translation>
    </message>
    <message>
      <source>records missing at the end (the last record is %1)</source>
      <translation>thiếu bản ghi ở cuối (bản ghi cuối cùng là số %1)</translation>
    </message>
  </context>
  <context>
    <name>Checkpoint</name>
    <message>
      <source>Road checkpoint</source>
      <translation>Chốt kiểm soát giao thông</translation>
    </message>
    <message>
      <source>Market / supermarket</source>
      <translation>Chợ / siêu thị</translation>
    </message>
    <message>
      <source>Office</source>
      <translation>Cơ quan</translation>
    </message>
    <message>
      <source>Event</source>
      <translation>Sự kiện</translation>
    </message>
  </context>
  <context>
    <name>Cli</name>
    <message>
      <source>give either TEXT / - or --image, not both</source>
      <translation>hãy đưa TEXT / - hoặc --image, không đưa cả hai</translation>
    </message>
    <message>
      <source>no QR code found in %1</source>
      <translation>không tìm thấy mã QR nào trong %1</translation>
    </message>
    <message>
      <source>give the QR text, - to read it from stdin, or --image FILE</source>
      <translation>hãy đưa nội dung mã QR, dấu - để đọc từ đầu vào chuẩn, hoặc --image TỆP</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Lý do</translation>
    </message>
    <message>
      <source>Colour</source>
      <translation>Màu</translation>
    </message>
    <message>
      <source>Holder</source>
      <translation>Người mang thẻ</translation>
    </message>
    <message>
      <source>Certificate</source>
      <translation>Chứng nhận</translation>
    </message>
    <message>
      <source>Rule</source>
      <translation>Quy định</translation>
    </message>
    <message>
      <source>the stored receipt from the hub does not verify: %1</source>
      <translation>biên nhận đã lưu của máy chủ không kiểm chứng được: %1</translation>
    </message>
    <message>
      <source>there is no check log in %1</source>
      <translation>không có nhật ký kiểm tra trong %1</translation>
    </message>
    <message>
      <source>chain ok: %1 records verified</source>
      <translation>chuỗi băm nguyên vẹn: đã kiểm tra %1 bản ghi</translation>
    </message>
    <message>
      <source>events chain ok: %1 events verified</source>
      <translation>chuỗi sự kiện nguyên vẹn: đã kiểm tra %1 sự kiện</translation>
    </message>
    <message>
      <source>chain BROKEN at record %1: %2</source>
      <translation>chuỗi băm BỊ PHÁ VỠ tại bản ghi số %1: %2</translation>
    </message>
    <message>
      <source>events chain BROKEN at event %1: %2</source>
      <translation>chuỗi sự kiện BỊ PHÁ VỠ tại sự kiện số %1: %2</translation>
    </message>
    <message>
      <source>PROBLEM: %1</source>
      <translation>VẤN ĐỀ: %1</translation>
    </message>
    <message>
      <source>note: %1</source>
      <translation>ghi chú: %1</translation>
    </message>
    <message>
      <source>checked against: %1</source>
      <translation>đã đối chiếu với: %1</translation>
    </message>
    <message>
      <source>log intact</source>
      <translation>nhật ký nguyên vẹn</translation>
    </message>
    <message>
      <source>LOG NOT INTACT</source>
      <translation>NHẬT KÝ KHÔNG NGUYÊN VẸN</translation>
    </message>
    <message>
      <source>%1 is not a day: give today, yesterday or YYYY-MM-DD</source>
      <translation>%1 không phải là một ngày: hãy ghi today (hôm nay), yesterday (hôm qua) hoặc NĂM-THÁNG-NGÀY (YYYY-MM-DD)</translation>
    </message>
    <message>
      <source>cannot write %1: %2</source>
      <translation>không ghi được %1: %2</translation>
    </message>
    <message>
      <source>Exported %1 check(s) of %2 to %3 (signed manifest: %4).</source>
      <translation>Đã xuất %1 lượt kiểm tra của ngày %2 ra %3 (bản kê có chữ ký: %4).</translation>
    </message>
    <message>
      <source>cannot read %1: %2</source>
      <translation>không đọc được %1: %2</translation>
    </message>
    <message>
      <source>%1 is an export, not its manifest: run scanner-app verify-export %1.manifest.json</source>
      <translation>%1 là tệp xuất, không phải bản kê của nó: hãy chạy scanner-app verify-export %1.manifest.json</translation>
    </message>
    <message>
      <source>%1 is not an export manifest (the FILE.manifest.json written beside each export)</source>
      <translation>%1 không phải là bản kê của tệp xuất (tệp TỆP.manifest.json được ghi cạnh mỗi tệp xuất)</translation>
    </message>
    <message>
      <source>OK: %1 matches its manifest (%2 check(s)).</source>
      <translation>ĐÚNG: %1 khớp với bản kê của nó (%2 lượt kiểm tra).</translation>
    </message>
    <message>
      <source>TAMPERED: %1 was changed after export.</source>
      <translation>ĐÃ BỊ SỬA: %1 đã bị thay đổi sau khi xuất.</translation>
    </message>
    <message>
      <source>TAMPERED: the manifest's signature does not match: the manifest was changed.</source>
      <translation>ĐÃ BỊ SỬA: chữ ký của bản kê không khớp: bản kê đã bị thay đổi.</translation>
    </message>
    <message>
      <source>MISSING: %1 is not beside its manifest: put the export next to it and check again.</source>
      <translation>THIẾU TỆP: không có %1 cạnh bản kê: hãy đặt tệp xuất cạnh bản kê rồi kiểm tra lại.</translation>
    </message>
    <message>
      <source>the hub at %1 did not answer: check the address and the network</source>
      <translation>máy chủ %1 không trả lời: hãy kiểm tra địa chỉ và mạng</translation>
    </message>
    <message>
      <source>the hub refused the code: it is unknown, used or expired</source>
      <translation>máy chủ từ chối mã: mã không tồn tại, đã dùng hoặc đã hết hạn</translation>
    </message>
    <message>
      <source>the hub's answer could not be used</source>
      <translation>không dùng được câu trả lời của máy chủ</translation>
    </message>
    <message>
      <source>Enrollment failed: %1.</source>
      <translation>Đăng ký không thành công: %1.</translation>
    </message>
    <message>
      <source>give --hub URL --code CODE, or --link TEXT</source>
      <translation>hãy cho --hub URL --code MÃ, hoặc --link VĂN_BẢN</translation>
    </message>
    <message>
      <source>type the code with its fingerprint, as the hub printed it (CODE-FINGERPRINT)</source>
      <translation>hãy nhập mã kèm dấu xác thực, đúng như máy chủ đã in (MÃ-DẤU_XÁC_THỰC)</translation>
    </message>
    <message>
      <source>whoever answers at %1 is NOT the hub the code names; nothing was saved</source>
      <translation>máy trả lời ở %1 KHÔNG phải là máy chủ mà mã chỉ định; không lưu gì cả</translation>
    </message>
    <message>
      <source>Enrolled as %1 at checkpoint %2 (%3); hub %4 pinned.</source>
      <translation>Đã đăng ký là %1 tại chốt %2 (%3); đã ghim máy chủ %4.</translation>
    </message>
    <message>
      <source>not an enrollment link: %1</source>
      <translation>không phải liên kết đăng ký: %1</translation>
    </message>
    <message>
      <source>this scanner is not enrolled: run scanner-app enroll --hub URL --code CODE first</source>
      <translation>máy quét này chưa đăng ký: hãy chạy scanner-app enroll --hub URL --code MÃ trước</translation>
    </message>
    <message>
      <source>the hub did not answer; %1 check(s) stay queued</source>
      <translation>máy chủ không trả lời; %1 lượt kiểm tra vẫn chờ gửi</translation>
    </message>
    <message>
      <source>the hub refused the request; %1 check(s) stay queued</source>
      <translation>máy chủ từ chối yêu cầu; %1 lượt kiểm tra vẫn chờ gửi</translation>
    </message>
    <message>
      <source>sent %1 checks, %2 queued</source>
      <translation>đã gửi %1 lượt kiểm tra, còn %2 lượt chờ gửi</translation>
    </message>
    <message>
      <source>The hub's trust data was refused (%1); the trust data in use (#%2) stays.</source>
      <translation>Đã từ chối dữ liệu tin cậy của máy chủ (%1); vẫn dùng dữ liệu tin cậy hiện tại (#%2).</translation>
    </message>
    <message>
      <source>New trust data #%1 installed.</source>
      <translation>Đã cài dữ liệu tin cậy mới #%1.</translation>
    </message>
    <message>
      <source>The hub has no trust data yet (nothing published); the trust data in use (#%1) stays.</source>
      <translation>Máy chủ chưa có dữ liệu tin cậy (chưa công bố gói nào); vẫn dùng dữ liệu tin cậy hiện tại (#%1).</translation>
    </message>
    <message>
      <source>Trust data unchanged (#%1).</source>
      <translation>Dữ liệu tin cậy không đổi (#%1).</translation>
    </message>
    <message>
      <source>Wrote %1 queued check(s) in %2 signed batch(es) to %3; they stay queued here until a sync confirms the hub holds them.</source>
      <translation>Đã ghi %1 lượt kiểm tra chờ gửi thành %2 lô có chữ ký vào %3; chúng vẫn chờ ở máy này cho đến khi một lần đồng bộ xác nhận máy chủ đã nhận.</translation>
    </message>
    <message>
      <source>scanner-app: no display found. Run it on a desktop, or use `scanner-app gate` for scanning without a window (or set QT_QPA_PLATFORM=offscreen).</source>
      <translation>scanner-app: không tìm thấy màn hình. Hãy chạy trên máy có giao diện đồ họa, hoặc dùng `scanner-app gate` để quét không cần cửa sổ (hoặc đặt QT_QPA_PLATFORM=offscreen).</translation>
    </message>
    <message>
      <source>scanner-app: the window cannot start: Qt's %1 platform needs these system libraries:</source>
      <translation>scanner-app: không mở được cửa sổ: nền tảng %1 của Qt cần các thư viện hệ thống sau:</translation>
    </message>
    <message>
      <source>Install them with:</source>
      <translation>Cài đặt bằng lệnh:</translation>
    </message>
    <message>
      <source>Find the package that has %1 with: apt-file search %2</source>
      <translation>Tìm gói chứa %1 bằng lệnh: apt-file search %2</translation>
    </message>
    <message>
      <source>(`scanner-app gate` scans without a window and needs none of them.)</source>
      <translation>(`scanner-app gate` quét không cần cửa sổ và không cần các thư viện này.)</translation>
    </message>
    <message>
      <source>TRUST DATA DAMAGED (%1): every decision is manual until `scanner-app bundle import FILE` or a sync installs the province's trust bundle again.</source>
      <translation>DỮ LIỆU TIN CẬY BỊ HỎNG (%1): mọi quyết định đều là kiểm tra thủ công cho đến khi `scanner-app bundle import FILE` hoặc một lần đồng bộ cài lại gói dữ liệu tin cậy của tỉnh.</translation>
    </message>
    <message>
      <source>camera lost</source>
      <translation>mất camera</translation>
    </message>
    <message>
      <source>camera back</source>
      <translation>camera đã hoạt động lại</translation>
    </message>
    <message>
      <source>the decoder stopped and was restarted</source>
      <translation>bộ giải mã bị dừng và đã được khởi động lại</translation>
    </message>
    <message>
      <source>the check log cannot be written: %1</source>
      <translation>không ghi được nhật ký kiểm tra: %1</translation>
    </message>
    <message>
      <source>a folder above it does not exist</source>
      <translation>thư mục chứa nó không tồn tại</translation>
    </message>
    <message>
      <source>it is a file, not a folder</source>
      <translation>đó là một tệp, không phải thư mục</translation>
    </message>
    <message>
      <source>no permission to write there</source>
      <translation>không có quyền ghi vào đó</translation>
    </message>
    <message>
      <source>the drive is read-only</source>
      <translation>ổ đĩa chỉ cho phép đọc</translation>
    </message>
    <message>
      <source>the drive is full</source>
      <translation>ổ đĩa đã đầy</translation>
    </message>
    <message>
      <source>the data folder %1 cannot be used: %2</source>
      <translation>không dùng được thư mục dữ liệu %1: %2</translation>
    </message>
  </context>
  <context>
    <name>Colour</name>
    <message>
      <source>Green</source>
      <translation>Xanh</translation>
    </message>
    <message>
      <source>Yellow</source>
      <translation>Vàng</translation>
    </message>
    <message>
      <source>Red</source>
      <translation>Đỏ</translation>
    </message>
  </context>
  <context>
    <name>Counters</name>
    <message numerus="yes">
      <source>Today: %n check(s)</source>
      <translation>
        <numerusform>Hôm nay: %n lượt kiểm tra</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>Date</name>
    <message>
      <source>{year}-{month}-{day}</source>
      <translation>{day}/{month}/{year}</translation>
    </message>
    <message>
      <source>{year}-{month}</source>
      <translation>{month}/{year}</translation>
    </message>
  </context>
  <context>
    <name>Decision</name>
    <message>
      <source>ALLOWED</source>
      <translation>ĐƯỢC PHÉP</translation>
    </message>
    <message>
      <source>NOT ALLOWED</source>
      <translation>KHÔNG ĐƯỢC PHÉP</translation>
    </message>
    <message>
      <source>MANUAL CHECK</source>
      <translation>KIỂM TRA THỦ CÔNG</translation>
    </message>
  </context>
  <context>
    <name>DetailsDialog</name>
    <message>
      <source>Check details</source>
      <translation>Chi tiết lượt kiểm tra</translation>
    </message>
    <message>
      <source>Decision</source>
      <translation>Quyết định</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Lý do</translation>
    </message>
    <message>
      <source>Code</source>
      <translation>Loại mã</translation>
    </message>
    <message>
      <source>Certificate type</source>
      <translation>Loại chứng nhận</translation>
    </message>
    <message>
      <source>Issuer</source>
      <translation>Nơi cấp</translation>
    </message>
    <message>
      <source>Issued</source>
      <translation>Ngày cấp</translation>
    </message>
    <message>
      <source>Expires</source>
      <translation>Hết hạn</translation>
    </message>
    <message>
      <source>Rules</source>
      <translation>Quy tắc phân màu</translation>
    </message>
    <message>
      <source>Policy</source>
      <translation>Bảng quyết định</translation>
    </message>
    <message>
      <source>Not saved</source>
      <translation>Chưa được lưu</translation>
    </message>
    <message>
      <source>Saved as check</source>
      <translation>Đã lưu, lượt kiểm tra</translation>
    </message>
    <message>
      <source>Verification steps:</source>
      <translation>Các bước xác minh:</translation>
    </message>
  </context>
  <context>
    <name>ErrorDialog</name>
    <message>
      <source>Unexpected error</source>
      <translation>Lỗi không mong đợi</translation>
    </message>
    <message>
      <source>Something went wrong. Scanning continues. Please copy this report and send it to your technical support.</source>
      <translation>Đã xảy ra lỗi. Việc quét vẫn tiếp tục. Vui lòng sao chép báo cáo này và gửi cho bộ phận hỗ trợ kỹ thuật.</translation>
    </message>
    <message>
      <source>Copy report</source>
      <translation>Sao chép báo cáo</translation>
    </message>
  </context>
  <context>
    <name>Flag</name>
    <message>
      <source>possibly a shared code (seen too often here)</source>
      <translation>có thể là mã dùng chung (quét quá nhiều lần tại đây)</translation>
    </message>
    <message>
      <source>possibly a shared code (at two places too soon)</source>
      <translation>có thể là mã dùng chung (ở hai nơi trong thời gian quá ngắn)</translation>
    </message>
    <message>
      <source>decided on out-of-date trust data</source>
      <translation>quyết định dựa trên dữ liệu tin cậy đã cũ</translation>
    </message>
    <message>
      <source>ID card matches</source>
      <translation>khớp CCCD</translation>
    </message>
    <message>
      <source>ID card does not match</source>
      <translation>không khớp CCCD</translation>
    </message>
    <message>
      <source>decided again once the ID card was read</source>
      <translation>quyết định lại sau khi quét CCCD</translation>
    </message>
  </context>
  <context>
    <name>Format</name>
    <message>
      <source>EU digital COVID certificate / Thẻ Covid</source>
      <translation>Chứng nhận COVID kỹ thuật số / Thẻ Covid</translation>
    </message>
    <message>
      <source>PC-COVID personal QR</source>
      <translation>Mã QR cá nhân PC-COVID</translation>
    </message>
    <message>
      <source>Chip ID card (CCCD)</source>
      <translation>Căn cước công dân gắn chip (CCCD)</translation>
    </message>
    <message>
      <source>SMART Health Card</source>
      <translation>SMART Health Card</translation>
    </message>
    <message>
      <source>Unknown code</source>
      <translation>Mã không xác định</translation>
    </message>
  </context>
  <context>
    <name>KioskWindow</name>
    <message>
      <source>Checkpoint scanner — kiosk</source>
      <translation>Máy quét chốt kiểm soát — chế độ kiosk</translation>
    </message>
    <message>
      <source>Please show your QR code to the camera</source>
      <translation>Vui lòng đưa mã QR trước camera</translation>
    </message>
    <message numerus="yes">
      <source>Privacy: we keep only the decision, the time and a one-way code made from the card (it cannot be turned back into the card), for %n day(s). No names, no birth dates.</source>
      <translation>
        <numerusform>Quyền riêng tư: chúng tôi chỉ lưu quyết định, thời gian và một mã một chiều tạo từ thẻ (không thể dựng lại thẻ từ mã này) trong %n ngày. Không lưu tên, không lưu ngày sinh.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>Checkpoint scanner — officer</source>
      <translation>Máy quét chốt kiểm soát — cán bộ</translation>
    </message>
    <message>
      <source>&amp;Scan</source>
      <translation>&amp;Quét</translation>
    </message>
    <message>
      <source>&amp;Window</source>
      <translation>&amp;Cửa sổ</translation>
    </message>
    <message>
      <source>Enter a code…</source>
      <translation>Nhập mã…</translation>
    </message>
    <message>
      <source>Import a picture…</source>
      <translation>Mở ảnh…</translation>
    </message>
    <message>
      <source>Paste a picture</source>
      <translation>Dán ảnh</translation>
    </message>
    <message>
      <source>Details of the last check</source>
      <translation>Chi tiết lượt kiểm tra gần nhất</translation>
    </message>
    <message>
      <source>Supervisor view…</source>
      <translation>Màn hình giám sát…</translation>
    </message>
    <message>
      <source>Kiosk mode</source>
      <translation>Chế độ kiosk</translation>
    </message>
    <message>
      <source>Settings…</source>
      <translation>Cài đặt…</translation>
    </message>
    <message>
      <source>Tiếng Việt / English</source>
      <translation>English / Tiếng Việt</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>Thoát</translation>
    </message>
    <message>
      <source>SCANNING PAUSED: the disk is full. Free some space, then press Ctrl+R.</source>
      <translation>TẠM DỪNG QUÉT: ổ đĩa đã đầy. Hãy giải phóng dung lượng rồi nhấn Ctrl+R.</translation>
    </message>
    <message>
      <source>SCANNING PAUSED: the data folder cannot be written (read-only medium). Fix it, then press Ctrl+R.</source>
      <translation>TẠM DỪNG QUÉT: không ghi được thư mục dữ liệu (thiết bị chỉ đọc). Hãy khắc phục rồi nhấn Ctrl+R.</translation>
    </message>
    <message>
      <source>SCANNING PAUSED: the check log cannot be written. Fix it, then press Ctrl+R.</source>
      <translation>TẠM DỪNG QUÉT: không ghi được nhật ký kiểm tra. Hãy khắc phục rồi nhấn Ctrl+R.</translation>
    </message>
    <message>
      <source>TRUST DATA DAMAGED: no card can be verified, every check is MANUAL. Import the trust bundle again (F9, Trust data) or sync with the hub.</source>
      <translation>DỮ LIỆU TIN CẬY BỊ HỎNG: không thẻ nào xác minh được, mọi lượt kiểm tra là THỦ CÔNG. Hãy nhập lại gói dữ liệu tin cậy (F9, Dữ liệu tin cậy) hoặc đồng bộ với máy chủ.</translation>
    </message>
    <message>
      <source>Technical detail (for the district office): %1</source>
      <translation>Chi tiết kỹ thuật (cho văn phòng quận/huyện): %1</translation>
    </message>
    <message>
      <source>DEMO trust data: for training only, not for real checks.</source>
      <translation>Dữ liệu tin cậy DÙNG THỬ: chỉ để tập huấn, không dùng cho kiểm tra thật.</translation>
    </message>
    <message>
      <source>The decision table is the EXAMPLE shipped with the program.</source>
      <translation>Bảng quyết định là bảng VÍ DỤ đi kèm chương trình.</translation>
    </message>
    <message>
      <source>The administrator PIN is still the default one: change it in the settings.</source>
      <translation>Mã PIN quản trị vẫn là mã mặc định: hãy đổi trong phần cài đặt.</translation>
    </message>
    <message>
      <source>Import a picture of a QR code</source>
      <translation>Mở ảnh mã QR</translation>
    </message>
    <message>
      <source>Pictures (*.png *.jpg *.jpeg *.bmp *.webp)</source>
      <translation>Ảnh (*.png *.jpg *.jpeg *.bmp *.webp)</translation>
    </message>
    <message>
      <source>No QR code was found in this picture.</source>
      <translation>Không tìm thấy mã QR trong ảnh này.</translation>
    </message>
  </context>
  <context>
    <name>ManualEntryDialog</name>
    <message>
      <source>Enter a code</source>
      <translation>Nhập mã</translation>
    </message>
    <message>
      <source>Type or paste the text of the QR code (HC1:…, CCCD…):</source>
      <translation>Gõ hoặc dán nội dung mã QR (HC1:…, CCCD…):</translation>
    </message>
  </context>
  <context>
    <name>PinDialog</name>
    <message>
      <source>Administrator PIN</source>
      <translation>Mã PIN quản trị</translation>
    </message>
    <message>
      <source>Enter the administrator PIN</source>
      <translation>Nhập mã PIN quản trị</translation>
    </message>
    <message>
      <source>PIN state lost (the PIN file is missing or was changed): unlock with the recovery code shown when the PIN was set, or ask the district office for this scanner's code.</source>
      <translation>Mất trạng thái mã PIN (tệp PIN bị xoá hoặc bị sửa): hãy mở khoá bằng mã khôi phục đã hiện khi đặt PIN, hoặc hỏi văn phòng quận/huyện mã của máy quét này.</translation>
    </message>
    <message>
      <source>Recovery code</source>
      <translation>Mã khôi phục</translation>
    </message>
    <message>
      <source>New PIN (4 to 12 digits)</source>
      <translation>Mã PIN mới (4 đến 12 chữ số)</translation>
    </message>
    <message numerus="yes">
      <source>Too many wrong PINs. Try again in %n second(s).</source>
      <translation>
        <numerusform>Nhập sai quá nhiều lần. Thử lại sau %n giây.</numerusform>
      </translation>
    </message>
    <message>
      <source>Wrong PIN.</source>
      <translation>Sai mã PIN.</translation>
    </message>
    <message>
      <source>The new PIN must be 4 to 12 digits.</source>
      <translation>Mã PIN mới phải có 4 đến 12 chữ số.</translation>
    </message>
    <message>
      <source>That recovery code is not right.</source>
      <translation>Mã khôi phục không đúng.</translation>
    </message>
  </context>
  <context>
    <name>PolicyRule</name>
    <message>
      <source>road checkpoint</source>
      <translation>chốt giao thông</translation>
    </message>
    <message>
      <source>market / supermarket</source>
      <translation>chợ / siêu thị</translation>
    </message>
    <message>
      <source>office</source>
      <translation>cơ quan</translation>
    </message>
    <message>
      <source>event</source>
      <translation>sự kiện</translation>
    </message>
    <message>
      <source>Level %1 — %2: %3</source>
      <translation>Cấp độ %1 — %2: %3</translation>
    </message>
    <message>
      <source>all card colours allowed</source>
      <translation>cho phép mọi màu thẻ</translation>
    </message>
    <message>
      <source>green and yellow cards allowed</source>
      <translation>cho phép thẻ xanh và thẻ vàng</translation>
    </message>
    <message>
      <source>only green cards allowed</source>
      <translation>chỉ cho phép thẻ xanh</translation>
    </message>
    <message>
      <source>nobody may enter</source>
      <translation>không ai được vào</translation>
    </message>
    <message>
      <source>cards allowed: %1</source>
      <translation>cho phép thẻ: %1</translation>
    </message>
  </context>
  <context>
    <name>Preview</name>
    <message>
      <source>Bring the code closer to the camera</source>
      <translation>Đưa mã lại gần camera hơn</translation>
    </message>
    <message>
      <source>Hold the phone still</source>
      <translation>Giữ yên điện thoại</translation>
    </message>
    <message>
      <source>Tilt the phone: there is glare on the screen</source>
      <translation>Nghiêng điện thoại: màn hình đang bị lóa</translation>
    </message>
    <message>
      <source>Starting the camera…</source>
      <translation>Đang khởi động camera…</translation>
    </message>
    <message>
      <source>Camera lost: reconnecting…</source>
      <translation>Mất camera: đang kết nối lại…</translation>
    </message>
    <message>
      <source>The video has ended</source>
      <translation>Video đã kết thúc</translation>
    </message>
    <message>
      <source>DEMO DATA</source>
      <translation>DỮ LIỆU THỬ</translation>
    </message>
  </context>
  <context>
    <name>QAbstractSpinBox</name>
    <message>
      <source>&amp;Select All</source>
      <translation>&amp;Chọn tất cả</translation>
    </message>
    <message>
      <source>&amp;Step up</source>
      <translation>&amp;Tăng</translation>
    </message>
    <message>
      <source>Step &amp;down</source>
      <translation>&amp;Giảm</translation>
    </message>
  </context>
  <context>
    <name>QFileDialog</name>
    <message>
      <source>&amp;Look in:</source>
      <translation>&amp;Tìm trong:</translation>
    </message>
    <message>
      <source>File &amp;name:</source>
      <translation>&amp;Tên tệp:</translation>
    </message>
    <message>
      <source>Files of &amp;type:</source>
      <translation>&amp;Loại tệp:</translation>
    </message>
    <message>
      <source>&amp;Open</source>
      <translation>&amp;Mở</translation>
    </message>
    <message>
      <source>&amp;Save</source>
      <translation>&amp;Lưu</translation>
    </message>
    <message>
      <source>Open</source>
      <translation>Mở</translation>
    </message>
    <message>
      <source>Save As</source>
      <translation>Lưu thành</translation>
    </message>
    <message>
      <source>All Files (*)</source>
      <translation>Mọi tệp (*)</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>Mọi tệp (*)</translation>
    </message>
    <message>
      <source>Back</source>
      <translation>Quay lại</translation>
    </message>
    <message>
      <source>Forward</source>
      <translation>Đi tiếp</translation>
    </message>
    <message>
      <source>Parent Directory</source>
      <translation>Thư mục cha</translation>
    </message>
    <message>
      <source>Create New Folder</source>
      <translation>Tạo thư mục mới</translation>
    </message>
    <message>
      <source>New Folder</source>
      <translation>Thư mục mới</translation>
    </message>
    <message>
      <source>List View</source>
      <translation>Dạng danh sách</translation>
    </message>
    <message>
      <source>Detail View</source>
      <translation>Dạng chi tiết</translation>
    </message>
    <message>
      <source>Directory:</source>
      <translation>Thư mục:</translation>
    </message>
    <message>
      <source>Recent Places</source>
      <translation>Nơi đã mở gần đây</translation>
    </message>
    <message>
      <source>%1 already exists.
Do you want to replace it?</source>
      <translation>%1 đã có.
Bạn có muốn ghi đè không?</translation>
    </message>
    <message>
      <source>%1
File not found.
Please verify the correct file name was given.</source>
      <translation>%1
Không tìm thấy tệp.
Hãy kiểm tra lại tên tệp.</translation>
    </message>
    <message>
      <source>%1
Directory not found.
Please verify the correct directory name was given.</source>
      <translation>%1
Không tìm thấy thư mục.
Hãy kiểm tra lại tên thư mục.</translation>
    </message>
    <message>
      <source>Go back</source>
      <translation>Quay lại</translation>
    </message>
    <message>
      <source>Go forward</source>
      <translation>Đi tiếp</translation>
    </message>
    <message>
      <source>Go to the parent directory</source>
      <translation>Lên thư mục cha</translation>
    </message>
    <message>
      <source>Create a New Folder</source>
      <translation>Tạo thư mục mới</translation>
    </message>
    <message>
      <source>Change to list view mode</source>
      <translation>Chuyển sang dạng danh sách</translation>
    </message>
    <message>
      <source>Change to detail view mode</source>
      <translation>Chuyển sang dạng chi tiết</translation>
    </message>
    <message>
      <source>Sidebar</source>
      <translation>Thanh bên</translation>
    </message>
    <message>
      <source>List of places and bookmarks</source>
      <translation>Danh sách nơi lưu và dấu trang</translation>
    </message>
    <message>
      <source>&amp;Choose</source>
      <translation>&amp;Chọn</translation>
    </message>
    <message>
      <source>&amp;Rename</source>
      <translation>Đổi &amp;tên</translation>
    </message>
    <message>
      <source>&amp;Delete</source>
      <translation>&amp;Xóa</translation>
    </message>
    <message>
      <source>Show &amp;hidden files</source>
      <translation>Hiện tệp &amp;ẩn</translation>
    </message>
    <message>
      <source>&amp;New Folder</source>
      <translation>Thư mục &amp;mới</translation>
    </message>
    <message>
      <source>Files</source>
      <translation>Tệp</translation>
    </message>
    <message>
      <source>Directories</source>
      <translation>Thư mục</translation>
    </message>
  </context>
  <context>
    <name>QFileSystemModel</name>
    <message>
      <source>Name</source>
      <translation>Tên</translation>
    </message>
    <message>
      <source>Size</source>
      <translation>Kích thước</translation>
    </message>
    <message>
      <source>Type</source>
      <translation>Loại</translation>
    </message>
    <message>
      <source>Kind</source>
      <translation>Loại</translation>
    </message>
    <message>
      <source>Date Modified</source>
      <translation>Ngày sửa đổi</translation>
    </message>
    <message>
      <source>Computer</source>
      <translation>Máy tính</translation>
    </message>
    <message>
      <source>My Computer</source>
      <translation>Máy tính của tôi</translation>
    </message>
  </context>
  <context>
    <name>QGnomeTheme</name>
    <message>
      <source>&amp;OK</source>
      <translation>&amp;Đồng ý</translation>
    </message>
    <message>
      <source>&amp;Save</source>
      <translation>&amp;Lưu</translation>
    </message>
    <message>
      <source>&amp;Cancel</source>
      <translation>&amp;Hủy</translation>
    </message>
    <message>
      <source>&amp;Close</source>
      <translation>Đó&amp;ng</translation>
    </message>
    <message>
      <source>Close without Saving</source>
      <translation>Đóng không lưu</translation>
    </message>
  </context>
  <context>
    <name>QLineEdit</name>
    <message>
      <source>&amp;Undo</source>
      <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
      <source>&amp;Redo</source>
      <translation>&amp;Làm lại</translation>
    </message>
    <message>
      <source>Cu&amp;t</source>
      <translation>&amp;Cắt</translation>
    </message>
    <message>
      <source>&amp;Copy</source>
      <translation>&amp;Sao chép</translation>
    </message>
    <message>
      <source>&amp;Paste</source>
      <translation>&amp;Dán</translation>
    </message>
    <message>
      <source>Delete</source>
      <translation>Xóa</translation>
    </message>
    <message>
      <source>Select All</source>
      <translation>Chọn tất cả</translation>
    </message>
  </context>
  <context>
    <name>QMessageBox</name>
    <message>
      <source>Show Details...</source>
      <translation>Xem chi tiết...</translation>
    </message>
    <message>
      <source>Hide Details...</source>
      <translation>Ẩn chi tiết...</translation>
    </message>
  </context>
  <context>
    <name>QPlatformTheme</name>
    <message>
      <source>OK</source>
      <translation>Đồng ý</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>Lưu</translation>
    </message>
    <message>
      <source>Save All</source>
      <translation>Lưu tất cả</translation>
    </message>
    <message>
      <source>Open</source>
      <translation>Mở</translation>
    </message>
    <message>
      <source>&amp;Yes</source>
      <translation>&amp;Có</translation>
    </message>
    <message>
      <source>Yes to &amp;All</source>
      <translation>Có với &amp;tất cả</translation>
    </message>
    <message>
      <source>&amp;No</source>
      <translation>&amp;Không</translation>
    </message>
    <message>
      <source>N&amp;o to All</source>
      <translation>Khô&amp;ng với tất cả</translation>
    </message>
    <message>
      <source>Abort</source>
      <translation>Hủy bỏ</translation>
    </message>
    <message>
      <source>Retry</source>
      <translation>Thử lại</translation>
    </message>
    <message>
      <source>Ignore</source>
      <translation>Bỏ qua</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Hủy</translation>
    </message>
    <message>
      <source>Discard</source>
      <translation>Bỏ</translation>
    </message>
    <message>
      <source>Help</source>
      <translation>Trợ giúp</translation>
    </message>
    <message>
      <source>Apply</source>
      <translation>Áp dụng</translation>
    </message>
    <message>
      <source>Reset</source>
      <translation>Đặt lại</translation>
    </message>
    <message>
      <source>Restore Defaults</source>
      <translation>Khôi phục mặc định</translation>
    </message>
  </context>
  <context>
    <name>QWidgetTextControl</name>
    <message>
      <source>&amp;Undo</source>
      <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
      <source>&amp;Redo</source>
      <translation>&amp;Làm lại</translation>
    </message>
    <message>
      <source>Cu&amp;t</source>
      <translation>&amp;Cắt</translation>
    </message>
    <message>
      <source>&amp;Copy</source>
      <translation>&amp;Sao chép</translation>
    </message>
    <message>
      <source>&amp;Paste</source>
      <translation>&amp;Dán</translation>
    </message>
    <message>
      <source>Delete</source>
      <translation>Xóa</translation>
    </message>
    <message>
      <source>Select All</source>
      <translation>Chọn tất cả</translation>
    </message>
  </context>
  <context>
    <name>Reason</name>
    <message>
      <source>Valid: genuine signature, in date, not revoked.</source>
      <translation>Hợp lệ: chữ ký thật, còn hạn, không bị thu hồi.</translation>
    </message>
    <message>
      <source>Identity code only: it carries no health status that can be checked offline.</source>
      <translation>Chỉ là mã định danh: không có thông tin sức khỏe kiểm tra được khi ngoại tuyến.</translation>
    </message>
    <message>
      <source>A format an earlier version of this program could not check yet.</source>
      <translation>Loại mã mà phiên bản trước của chương trình chưa kiểm tra được.</translation>
    </message>
    <message>
      <source>Not a code this scanner knows.</source>
      <translation>Mã không được hỗ trợ: máy quét không nhận ra loại mã này.</translation>
    </message>
    <message>
      <source>The code is empty.</source>
      <translation>Mã trống.</translation>
    </message>
    <message>
      <source>The code is longer than any QR code can be.</source>
      <translation>Mã dài hơn mức tối đa của mã QR.</translation>
    </message>
    <message>
      <source>The code contains line breaks or tabs.</source>
      <translation>Mã chứa ký tự xuống dòng hoặc tab.</translation>
    </message>
    <message>
      <source>Damaged code: the text is not valid Base45.</source>
      <translation>Mã bị hỏng: nội dung không phải Base45 hợp lệ.</translation>
    </message>
    <message>
      <source>Damaged code: the compressed data is broken.</source>
      <translation>Mã bị hỏng: dữ liệu nén bị lỗi.</translation>
    </message>
    <message>
      <source>Rejected: the code unpacks to far too much data.</source>
      <translation>Từ chối: mã giải nén ra quá nhiều dữ liệu.</translation>
    </message>
    <message>
      <source>Damaged code: the data structure is malformed.</source>
      <translation>Mã bị hỏng: cấu trúc dữ liệu sai.</translation>
    </message>
    <message>
      <source>Damaged code: the signature envelope is malformed.</source>
      <translation>Mã bị hỏng: phần chữ ký sai cấu trúc.</translation>
    </message>
    <message>
      <source>Rejected: signed with an algorithm that is not allowed.</source>
      <translation>Từ chối: ký bằng thuật toán không được phép.</translation>
    </message>
    <message>
      <source>Rejected: the code does not say which key signed it.</source>
      <translation>Từ chối: mã không cho biết khóa nào đã ký.</translation>
    </message>
    <message>
      <source>Damaged code: issue or expiry time is missing.</source>
      <translation>Mã bị hỏng: thiếu thời điểm cấp hoặc hết hạn.</translation>
    </message>
    <message>
      <source>Rejected: the certificate content is incomplete.</source>
      <translation>Từ chối: nội dung chứng nhận không đầy đủ.</translation>
    </message>
    <message>
      <source>Not trusted: the signing key is not in the trust list.</source>
      <translation>Không tin cậy: khóa ký không có trong danh sách tin cậy.</translation>
    </message>
    <message>
      <source>Not trusted: the signing key has been withdrawn.</source>
      <translation>Không tin cậy: khóa ký đã bị thu hồi.</translation>
    </message>
    <message>
      <source>Forged or altered: the signature does not match.</source>
      <translation>Giả mạo hoặc bị sửa: chữ ký không khớp.</translation>
    </message>
    <message>
      <source>Not trusted: this key may not sign this kind of certificate.</source>
      <translation>Không tin cậy: khóa này không được ký loại chứng nhận này.</translation>
    </message>
    <message>
      <source>Not trusted: signed outside the signing key's validity.</source>
      <translation>Không tin cậy: được ký ngoài thời hạn của khóa ký.</translation>
    </message>
    <message>
      <source>Not valid yet: issued in the future.</source>
      <translation>Chưa có hiệu lực: thời điểm cấp ở tương lai.</translation>
    </message>
    <message>
      <source>Expired.</source>
      <translation>Đã hết hạn.</translation>
    </message>
    <message>
      <source>This computer's clock is earlier than the last trusted time: fix the clock.</source>
      <translation>Đồng hồ máy tính sớm hơn thời điểm tin cậy gần nhất: hãy chỉnh lại đồng hồ.</translation>
    </message>
    <message>
      <source>Revoked: this certificate has been withdrawn.</source>
      <translation>Đã thu hồi: chứng nhận này đã bị hủy.</translation>
    </message>
    <message>
      <source>Suspended: the holder is currently in isolation.</source>
      <translation>Tạm đình chỉ: người mang thẻ đang trong thời gian cách ly.</translation>
    </message>
    <message>
      <source>Internal error while checking; please report it.</source>
      <translation>Lỗi nội bộ khi kiểm tra; vui lòng báo lại.</translation>
    </message>
    <message>
      <source>The colour rules are not in force at this date.</source>
      <translation>Quy tắc phân màu chưa hoặc không còn hiệu lực vào ngày này.</translation>
    </message>
    <message>
      <source>Trust data is out of date: keys and rules need updating.</source>
      <translation>Dữ liệu tin cậy đã cũ: cần cập nhật khóa và quy tắc.</translation>
    </message>
    <message>
      <source>Trust data damaged: import the trust bundle again. Check by hand until then.</source>
      <translation>Dữ liệu tin cậy bị hỏng: hãy nhập lại gói dữ liệu. Trong lúc chờ, hãy kiểm tra thủ công.</translation>
    </message>
    <message>
      <source>Damaged code: the SMART Health Card digits are broken.</source>
      <translation>Mã bị hỏng: dãy số của thẻ SMART Health Card không hợp lệ.</translation>
    </message>
    <message>
      <source>SMART Health Card in several parts: scan every part of it.</source>
      <translation>Thẻ SMART Health Card gồm nhiều phần: hãy quét đủ các phần.</translation>
    </message>
    <message>
      <source>Damaged code: the signed SMART Health Card is malformed.</source>
      <translation>Mã bị hỏng: thẻ SMART Health Card đã ký bị sai cấu trúc.</translation>
    </message>
    <message>
      <source>Rejected: the card's content is incomplete.</source>
      <translation>Bị từ chối: nội dung thẻ không đầy đủ.</translation>
    </message>
    <message>
      <source>Not trusted: the issuer is not in the trust list.</source>
      <translation>Không tin cậy: nơi cấp không có trong danh sách tin cậy.</translation>
    </message>
    <message>
      <source>Rejected: the vaccination record in the card is malformed.</source>
      <translation>Bị từ chối: dữ liệu tiêm chủng trong thẻ bị sai cấu trúc.</translation>
    </message>
    <message>
      <source>Scan the ID card (CCCD).</source>
      <translation>Cần quét CCCD</translation>
    </message>
    <message>
      <source>The ID card (CCCD) names another person than the health card.</source>
      <translation>CCCD là của người khác, không phải người có tên trên thẻ.</translation>
    </message>
  </context>
  <context>
    <name>RecentChecks</name>
    <message>
      <source>Time</source>
      <translation>Giờ</translation>
    </message>
    <message>
      <source>Decision</source>
      <translation>Quyết định</translation>
    </message>
    <message>
      <source>Colour</source>
      <translation>Màu</translation>
    </message>
    <message>
      <source>Code</source>
      <translation>Loại mã</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Lý do</translation>
    </message>
    <message>
      <source>Valid; the decision table at level %1, %2</source>
      <translation>Hợp lệ; theo bảng quyết định cấp độ %1, %2</translation>
    </message>
  </context>
  <context>
    <name>RecoveryCodeDialog</name>
    <message>
      <source>Recovery code</source>
      <translation>Mã khôi phục</translation>
    </message>
    <message>
      <source>Write this recovery code down now and keep it apart from the laptop. It sets a new PIN if the PIN is forgotten or its file is lost. It is not shown again.</source>
      <translation>Hãy ghi lại mã khôi phục này ngay và cất riêng, không để cùng máy tính. Mã này dùng để đặt PIN mới khi quên PIN hoặc mất tệp PIN. Mã sẽ không hiện lại.</translation>
    </message>
  </context>
  <context>
    <name>Report</name>
    <message>
      <source>Checkpoint day report</source>
      <translation>Báo cáo kiểm tra trong ngày</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Ngày</translation>
    </message>
    <message>
      <source>Device</source>
      <translation>Thiết bị</translation>
    </message>
    <message>
      <source>Checkpoint</source>
      <translation>Chốt</translation>
    </message>
    <message>
      <source>Generated</source>
      <translation>Lập lúc</translation>
    </message>
    <message>
      <source>Checks</source>
      <translation>Lượt kiểm tra</translation>
    </message>
    <message>
      <source>Checks by hour</source>
      <translation>Lượt kiểm tra theo giờ</translation>
    </message>
    <message>
      <source>Hour</source>
      <translation>Giờ</translation>
    </message>
    <message>
      <source>Total</source>
      <translation>Tổng</translation>
    </message>
    <message>
      <source>Reasons</source>
      <translation>Lý do</translation>
    </message>
    <message>
      <source>Code formats</source>
      <translation>Loại mã</translation>
    </message>
    <message>
      <source>Possibly shared codes (flagged)</source>
      <translation>Mã có thể bị dùng chung (đã đánh dấu)</translation>
    </message>
    <message>
      <source>None flagged.</source>
      <translation>Không có mã nào bị đánh dấu.</translation>
    </message>
    <message>
      <source>Log integrity</source>
      <translation>Tính toàn vẹn của nhật ký</translation>
    </message>
    <message>
      <source>This report lists no names or birth dates. A signed manifest beside the file shows whether it was changed.</source>
      <translation>Báo cáo này không chứa tên hay ngày sinh. Tệp kê khai có chữ ký đi kèm cho biết báo cáo có bị sửa hay không.</translation>
    </message>
    <message>
      <source>Time</source>
      <translation>Giờ</translation>
    </message>
    <message>
      <source>No.</source>
      <translation>Số</translation>
    </message>
    <message>
      <source>Flags</source>
      <translation>Đánh dấu</translation>
    </message>
    <message>
      <source>Card hash</source>
      <translation>Mã băm của thẻ</translation>
    </message>
    <message>
      <source>Hash chain intact: %1 records verified.</source>
      <translation>Chuỗi băm nguyên vẹn: đã xác minh %1 bản ghi.</translation>
    </message>
    <message>
      <source>Hash chain BROKEN at record %1: the log was changed. %2</source>
      <translation>Chuỗi băm BỊ PHÁ VỠ tại bản ghi %1: nhật ký đã bị sửa. %2</translation>
    </message>
  </context>
  <context>
    <name>ResultPanel</name>
    <message>
      <source>Show the QR code to the camera</source>
      <translation>Đưa mã QR trước camera</translation>
    </message>
    <message>
      <source>Thẻ Covid, vaccine passport, PC-COVID QR or chip ID card</source>
      <translation>Thẻ Covid, hộ chiếu vắc xin, mã QR PC-COVID hoặc căn cước công dân gắn chip</translation>
    </message>
    <message>
      <source>Please ask the staff at the entrance.</source>
      <translation>Vui lòng gặp nhân viên ở lối vào.</translation>
    </message>
    <message>
      <source>NOT SAVED: the check log cannot be written</source>
      <translation>CHƯA LƯU: không ghi được nhật ký kiểm tra</translation>
    </message>
    <message>
      <source>This card was seen too often: it may be a shared code</source>
      <translation>Thẻ này được quét quá nhiều lần: có thể là mã dùng chung</translation>
    </message>
    <message>
      <source>Trust data is out of date</source>
      <translation>Dữ liệu tin cậy đã cũ</translation>
    </message>
    <message>
      <source>Matches</source>
      <translation>Khớp</translation>
    </message>
    <message>
      <source>Does not match</source>
      <translation>Không khớp</translation>
    </message>
    <message>
      <source>Please show your ID card (CCCD) too</source>
      <translation>Vui lòng đưa thêm CCCD</translation>
    </message>
    <message>
      <source>ID card matches</source>
      <translation>Khớp CCCD</translation>
    </message>
    <message>
      <source>ID CARD DOES NOT MATCH</source>
      <translation>KHÔNG KHỚP CCCD</translation>
    </message>
    <message>
      <source>Now scan the ID card (CCCD)</source>
      <translation>Hãy quét CCCD</translation>
    </message>
    <message>
      <source>Card colour</source>
      <translation>Màu thẻ</translation>
    </message>
  </context>
  <context>
    <name>SettingsDialog</name>
    <message>
      <source>Settings</source>
      <translation>Cài đặt</translation>
    </message>
    <message>
      <source>Camera (index, file, folder or URL; empty: automatic)</source>
      <translation>Camera (số thứ tự, tệp, thư mục hoặc URL; để trống: tự động)</translation>
    </message>
    <message>
      <source>Checkpoint name</source>
      <translation>Tên chốt</translation>
    </message>
    <message>
      <source>Officer on duty</source>
      <translation>Cán bộ trực</translation>
    </message>
    <message>
      <source>Checkpoint type</source>
      <translation>Loại chốt</translation>
    </message>
    <message>
      <source>Epidemic level</source>
      <translation>Cấp độ dịch</translation>
    </message>
    <message>
      <source>Colour rules (empty: the trust data's default)</source>
      <translation>Quy tắc phân màu (để trống: mặc định của dữ liệu tin cậy)</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Ngôn ngữ</translation>
    </message>
    <message>
      <source>Sound for each result</source>
      <translation>Âm thanh cho mỗi kết quả</translation>
    </message>
    <message>
      <source>Seconds a result stays on screen</source>
      <translation>Số giây hiển thị kết quả</translation>
    </message>
    <message>
      <source>New administrator PIN (4-12 digits; empty: unchanged)</source>
      <translation>Mã PIN quản trị mới (4–12 chữ số; để trống: giữ nguyên)</translation>
    </message>
    <message>
      <source>A new camera is used from the next start of the program.</source>
      <translation>Camera mới được dùng từ lần khởi động chương trình tiếp theo.</translation>
    </message>
    <message>
      <source>s</source>
      <comment>seconds</comment>
      <translation>giây</translation>
    </message>
  </context>
  <context>
    <name>StatusLine</name>
    <message>
      <source>starting</source>
      <translation>đang khởi động</translation>
    </message>
    <message>
      <source>working</source>
      <translation>đang hoạt động</translation>
    </message>
    <message>
      <source>LOST</source>
      <translation>MẤT TÍN HIỆU</translation>
    </message>
    <message>
      <source>video ended</source>
      <translation>video đã hết</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>Camera</translation>
    </message>
    <message>
      <source>CLOCK IS BEHIND TRUSTED TIME</source>
      <translation>ĐỒNG HỒ CHẬM HƠN THỜI GIAN TIN CẬY</translation>
    </message>
    <message>
      <source>CLOCK %1 AHEAD OF THE HUB</source>
      <translation>ĐỒNG HỒ NHANH HƠN MÁY CHỦ %1</translation>
    </message>
    <message>
      <source>CLOCK %1 BEHIND THE HUB</source>
      <translation>ĐỒNG HỒ CHẬM HƠN MÁY CHỦ %1</translation>
    </message>
    <message>
      <source>Clock OK</source>
      <translation>Đồng hồ đúng</translation>
    </message>
    <message>
      <source>level</source>
      <translation>cấp độ</translation>
    </message>
    <message numerus="yes">
      <source>%n min</source>
      <translation>
        <numerusform>%n PHÚT</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n h</source>
      <translation>
        <numerusform>%n GIỜ</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n day(s)</source>
      <translation>
        <numerusform>%n NGÀY</numerusform>
      </translation>
    </message>
    <message>
      <source>Trust data: loading</source>
      <translation>Dữ liệu tin cậy: đang tải</translation>
    </message>
    <message>
      <source>Trust data: DAMAGED, every check is manual</source>
      <translation>Dữ liệu tin cậy: BỊ HỎNG, mọi lượt là kiểm tra thủ công</translation>
    </message>
    <message>
      <source>EXPIRED</source>
      <translation>HẾT HẠN</translation>
    </message>
    <message>
      <source>valid</source>
      <translation>còn hiệu lực</translation>
    </message>
    <message>
      <source>DEMO</source>
      <translation>DÙNG THỬ</translation>
    </message>
    <message>
      <source>Trust data</source>
      <translation>Dữ liệu tin cậy</translation>
    </message>
    <message numerus="yes">
      <source>%n hour(s) old</source>
      <translation>
        <numerusform>cập nhật %n giờ trước</numerusform>
      </translation>
    </message>
    <message>
      <source>Sync: not enrolled</source>
      <translation>Đồng bộ: chưa đăng ký</translation>
    </message>
    <message>
      <source>online</source>
      <translation>trực tuyến</translation>
    </message>
    <message>
      <source>offline</source>
      <translation>ngoại tuyến</translation>
    </message>
    <message>
      <source>Sync</source>
      <translation>Đồng bộ</translation>
    </message>
    <message numerus="yes">
      <source>%n queued</source>
      <translation>
        <numerusform>%n lượt chờ gửi</numerusform>
      </translation>
    </message>
    <message>
      <source>last</source>
      <translation>lần cuối</translation>
    </message>
  </context>
  <context>
    <name>SupervisorView</name>
    <message>
      <source>The hub's enrollment QR code was read: check the address, then press Enroll.</source>
      <translation>Đã đọc mã QR đăng ký của máy chủ: hãy kiểm tra địa chỉ rồi bấm Đăng ký.</translation>
    </message>
    <message numerus="yes">
      <source>%n check(s)</source>
      <translation>
        <numerusform>%n lượt kiểm tra</numerusform>
      </translation>
    </message>
    <message>
      <source>Checks by hour</source>
      <translation>Lượt kiểm tra theo giờ</translation>
    </message>
    <message>
      <source>Export</source>
      <translation>Xuất dữ liệu</translation>
    </message>
    <message>
      <source>Exporting…</source>
      <translation>Đang xuất dữ liệu…</translation>
    </message>
    <message numerus="yes">
      <source>Exported %n check(s).</source>
      <translation>
        <numerusform>Đã xuất %n lượt kiểm tra.</numerusform>
      </translation>
    </message>
    <message>
      <source>The export could not be written: %1</source>
      <translation>Không ghi được tệp xuất: %1</translation>
    </message>
    <message>
      <source>example</source>
      <translation>ví dụ</translation>
    </message>
    <message>
      <source>DEMO</source>
      <translation>DÙNG THỬ</translation>
    </message>
    <message>
      <source>Import trust data</source>
      <translation>Nhập dữ liệu tin cậy</translation>
    </message>
    <message>
      <source>Refused; the trust data in use stays:</source>
      <translation>Bị từ chối; vẫn dùng dữ liệu tin cậy hiện tại:</translation>
    </message>
    <message numerus="yes">
      <source>Installed trust data #%n.</source>
      <translation>
        <numerusform>Đã cài dữ liệu tin cậy số %n.</numerusform>
      </translation>
    </message>
    <message>
      <source>Enrolled as %1 at checkpoint %2, hub %3</source>
      <translation>Đã đăng ký với tên %1 tại chốt %2, máy chủ %3</translation>
    </message>
    <message>
      <source>Not enrolled: checks stay on this computer until you enroll it with the district hub (or carry them on a USB stick).</source>
      <translation>Chưa đăng ký: các lượt kiểm tra được giữ trên máy này cho đến khi đăng ký với máy chủ cấp huyện (hoặc chép sang USB).</translation>
    </message>
    <message>
      <source>This is not a usable enrollment link. Scan the QR code on the hub's enrollment page again, or type the hub's address and the code.</source>
      <translation>Đây không phải là liên kết đăng ký dùng được. Hãy quét lại mã QR trên trang đăng ký của máy chủ quận, hoặc nhập địa chỉ máy chủ và mã đăng ký.</translation>
    </message>
    <message>
      <source>Enrolled. Restart the program to start syncing.</source>
      <translation>Đã đăng ký. Khởi động lại chương trình để bắt đầu đồng bộ.</translation>
    </message>
    <message>
      <source>the hub did not answer: check the address and the network</source>
      <translation>máy chủ không trả lời: hãy kiểm tra địa chỉ và mạng</translation>
    </message>
    <message>
      <source>the hub refused the code: it is unknown, used or expired</source>
      <translation>máy chủ từ chối mã: mã không đúng, đã dùng hoặc đã hết hạn</translation>
    </message>
    <message>
      <source>the hub's answer could not be used</source>
      <translation>không dùng được câu trả lời của máy chủ</translation>
    </message>
    <message>
      <source>type the code with its fingerprint, as the hub printed it</source>
      <translation>hãy nhập mã kèm dấu xác thực của máy chủ, đúng như máy chủ đã in</translation>
    </message>
    <message>
      <source>whoever answers at this address is NOT the hub the code names</source>
      <translation>máy đang trả lời ở địa chỉ này KHÔNG phải là máy chủ mà mã chỉ định</translation>
    </message>
    <message>
      <source>Enrollment failed: %1.</source>
      <translation>Đăng ký thất bại: %1.</translation>
    </message>
    <message>
      <source>Hub</source>
      <translation>Máy chủ</translation>
    </message>
    <message>
      <source>Supervisor view</source>
      <translation>Màn hình giám sát</translation>
    </message>
    <message>
      <source>Checks</source>
      <translation>Lượt kiểm tra</translation>
    </message>
    <message>
      <source>Trust data</source>
      <translation>Dữ liệu tin cậy</translation>
    </message>
    <message>
      <source>Day:</source>
      <translation>Ngày:</translation>
    </message>
    <message>
      <source>Export CSV</source>
      <translation>Xuất CSV</translation>
    </message>
    <message>
      <source>Export Excel</source>
      <translation>Xuất Excel</translation>
    </message>
    <message>
      <source>PDF report</source>
      <translation>Báo cáo PDF</translation>
    </message>
    <message>
      <source>Checks by reason</source>
      <translation>Lượt kiểm tra theo lý do</translation>
    </message>
    <message>
      <source>Flagged checks: a card possibly shared (shown again too soon, or at two distant places)</source>
      <translation>Lượt bị đánh dấu: thẻ có thể bị dùng chung (quét lại quá sớm, hoặc ở hai nơi cách xa nhau)</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Lý do</translation>
    </message>
    <message>
      <source>Time</source>
      <translation>Giờ</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>Lượt</translation>
    </message>
    <message>
      <source>Flags</source>
      <translation>Đánh dấu</translation>
    </message>
    <message>
      <source>Card hash</source>
      <translation>Mã băm của thẻ</translation>
    </message>
    <message>
      <source>Issuer</source>
      <translation>Nơi phát hành</translation>
    </message>
    <message>
      <source>Sequence</source>
      <translation>Số thứ tự</translation>
    </message>
    <message>
      <source>Issued</source>
      <translation>Ngày phát hành</translation>
    </message>
    <message>
      <source>Valid until</source>
      <translation>Hiệu lực đến</translation>
    </message>
    <message>
      <source>Colour rules</source>
      <translation>Quy tắc phân màu</translation>
    </message>
    <message>
      <source>Decision table</source>
      <translation>Bảng quyết định</translation>
    </message>
    <message>
      <source>Import trust data from a file (USB stick)…</source>
      <translation>Nhập dữ liệu tin cậy từ tệp (USB)…</translation>
    </message>
    <message>
      <source>Hub address</source>
      <translation>Địa chỉ máy chủ</translation>
    </message>
    <message>
      <source>Enrollment code</source>
      <translation>Mã đăng ký</translation>
    </message>
    <message>
      <source>Enroll</source>
      <translation>Đăng ký</translation>
    </message>
    <message>
      <source>Sync now</source>
      <translation>Đồng bộ ngay</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
  </context>
</TS>
