"""Believable Korean names, phones and addresses for demo subscribers (deterministic per index)."""

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "시우",
    "하은",
    "주원",
    "지유",
    "예준",
    "수아",
    "지호",
    "지아",
    "준서",
    "채원",
    "은우",
    "다은",
    "현우",
    "예린",
    "정숙",
    "영자",
    "순자",
    "경희",
    "영수",
    "성호",
    "미경",
    "동현",
]
ADDRESSES = [
    ("52302", "경상남도 하동군 하동읍 군청로 23", "하동읍 읍내리 203"),
    ("52305", "경상남도 하동군 하동읍 섬진강대로 2251", "하동읍 광평리 440"),
    ("52321", "경상남도 하동군 악양면 평사리길 66", "악양면 평사리 498"),
    ("52351", "경상남도 하동군 화개면 쌍계로 59", "화개면 탑리 726"),
    ("48058", "부산광역시 해운대구 센텀중앙로 79", "우동 1500"),
    ("04524", "서울특별시 중구 세종대로 110", "태평로1가 31"),
    ("06164", "서울특별시 강남구 테헤란로 521", "삼성동 159"),
    ("61475", "광주광역시 동구 문화전당로 38", "광산동 13"),
    ("35242", "대전광역시 서구 둔산로 100", "둔산동 1420"),
    ("51430", "경상남도 창원시 성산구 중앙대로 151", "용호동 1"),
    ("41911", "대구광역시 중구 공평로 88", "동인동1가 2-1"),
    ("21554", "인천광역시 남동구 정각로 29", "구월동 1138"),
]
MEMOS = ["문 앞에 놓아 주세요", "경비실에 맡겨 주세요", "부재 시 연락 주세요", "", "택배함에 넣어 주세요"]


def person(index: int) -> dict:
    surname = SURNAMES[index % len(SURNAMES)]
    given = GIVEN[(index * 7) % len(GIVEN)]
    postcode, road, jibun = ADDRESSES[(index * 5) % len(ADDRESSES)]
    return {
        "email": f"subscriber{index:03d}@demo.kr",
        "name": surname + given,
        "phone": f"010-{2000 + (index * 37) % 8000:04d}-{1000 + (index * 91) % 9000:04d}",
        "postcode": postcode,
        "road_address": road,
        "jibun_address": f"{road.split()[0]} {road.split()[1]} {jibun}",
        "detail": f"{100 + index % 20}동 {1 + index % 15}0{1 + index % 4}호" if index % 3 else "",
        "memo": MEMOS[index % len(MEMOS)],
    }
